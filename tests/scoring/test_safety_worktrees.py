"""Scoring removes only its own checkouts: a user's worktree survives, a killed run's does not."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.benchmarks import benchmark_ran
from support.gitrepo import edit, git, state, write

from rubric_lsp.scoring.api import score

ONLY_BENCHMARK = {"tests": False, "coverage": False, "pylint": False, "bandit": False}


def admin_bytes(repo: Path, name: str) -> dict[str, bytes]:
    """Every file of a worktree's registration under .git/worktrees/, by relative path."""
    admin = repo / ".git" / "worktrees" / name
    return {
        str(path.relative_to(admin)): path.read_bytes()
        for path in sorted(admin.rglob("*"))
        if path.is_file()
    }


def users_absent_worktree(repo: Path, tmp_path: Path) -> dict[str, bytes]:
    """A user's linked worktree with staged work, its folder away (an unmounted disk)."""
    folder = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(folder), "-b", "side")
    edit(folder, "calc/core.py", "    result = 0\n", "    result = 0  # staged in wt\n")
    git(folder, "add", "calc/core.py")
    folder.rename(tmp_path / "wt-unmounted")
    return admin_bytes(repo, "wt")


def test_a_users_worktree_with_a_missing_folder_stays_registered(
    repo: Path, tmp_path: Path
) -> None:
    registered = users_absent_worktree(repo, tmp_path)
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")
    # The benchmark checks the base out in a worktree of rubric's own, and removes it.
    result = score(repo, enabled=ONLY_BENCHMARK, use_cache=False)
    performance = result.criteria["performance"]
    assert benchmark_ran(performance.status, performance.steps), performance
    assert admin_bytes(repo, "wt") == registered
    patch = git(repo, "diff")
    git(repo, "checkout", "-q", "--", ".")
    score(repo, patch=patch, enabled=ONLY_BENCHMARK, use_cache=False)
    assert admin_bytes(repo, "wt") == registered
    assert sorted(p.name for p in (repo / ".git" / "worktrees").iterdir()) == ["wt"]


def user_state(repo: Path) -> str:
    """Tree, index, stash and refs (not worktree registrations, which a kill may leave)."""
    digest = hashlib.sha256()
    for args in (
        ("stash", "list"),
        ("for-each-ref",),
        ("status", "--porcelain=v1", "--untracked-files=all", "--ignored"),
        ("ls-files", "--stage"),
    ):
        digest.update(git(repo, *args).encode())
    for path in sorted(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        digest.update(str(path.relative_to(repo)).encode() + path.read_bytes())
    digest.update((repo / ".git" / "index").read_bytes())
    return digest.hexdigest()


def kill_runs(repo: Path, temp: Path, count: int, seed: int) -> None:
    """Start `rubric score` (benchmarks, or a patch) and SIGKILL it at a random moment."""
    chooser = random.Random(seed)
    env = {**os.environ, "TMPDIR": str(temp)}
    patch = git(repo, "diff")
    before = user_state(repo)
    for index in range(count):
        args = ["--only", "benchmark", "--no-cache"]
        stdin = None
        if index % 2:
            args += ["--patch", "-"]
            stdin = subprocess.PIPE
        process = subprocess.Popen(
            [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), *args],
            env=env,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(patch.encode())
            process.stdin.close()
        time.sleep(chooser.uniform(0.3, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert user_state(repo) == before, f"kill {index} changed the user's state"


def run_kills(repo: Path, tmp_path: Path, count: int) -> None:
    registered = users_absent_worktree(repo, tmp_path)
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")
    rubric = (repo / "calc.rubric").read_text()
    # A slower benchmark keeps the base checkout around for most of the run.
    write(repo, "bench.py", (repo / "bench.py").read_text().replace("range(10)", "range(400)"))
    write(repo, "calc.rubric", rubric.replace("repeat=3", "repeat=2"))
    temp = tmp_path / "tmp"
    temp.mkdir()
    git(repo, "diff")  # the same reads as kill_runs makes first, so the index is as it reads
    before = state(repo)
    kill_runs(repo, temp, count, seed=count)
    # The next run (any run) removes every leftover of the killed ones, and nothing else.
    done = subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), "--only", "naming"],
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert sorted(os.listdir(temp)) == []
    assert sorted(p.name for p in (repo / ".git" / "worktrees").iterdir()) == ["wt"]
    assert admin_bytes(repo, "wt") == registered
    assert state(repo) == before


@pytest.mark.slow
def test_five_killed_runs_leave_nothing_after_the_next(repo: Path, tmp_path: Path) -> None:
    run_kills(repo, tmp_path, 5)


@pytest.mark.skipif(not os.environ.get("RUBRIC_LONG_TESTS"), reason="set RUBRIC_LONG_TESTS=1")
def test_twenty_killed_runs_leave_nothing_after_the_next(repo: Path, tmp_path: Path) -> None:
    run_kills(repo, tmp_path, 20)
