"""What is scored (working tree, base, patch, odd files) and the promise never to touch the tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.benchmarks import benchmark_ran
from support.calc_package import FILES
from support.gitrepo import edit, git, init_repo, state, write

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.proc import ScoringError

STATIC = {"tests": False, "coverage": False, "benchmark": False}
SHELL_TRUE = ('subprocess.run(["ls", path]', 'subprocess.run(f"ls {path}", shell=True')
SLOW_BENCH = (
    'benchmark command="python -c \\"import os, time; '
    "open('{pid}', 'a').write(str(os.getpid()) + ' '); time.sleep(60)\\\"\" repeat=1"
)


def make_dirty(repo: Path) -> None:
    """Staged, unstaged and untracked changes, and a stash entry: all must survive scoring."""
    write(repo, "notes.txt", "stashed\n")
    git(repo, "add", "notes.txt")
    git(repo, "stash", "push", "-q", "-m", "keep me")
    edit(repo, "calc/core.py", *SHELL_TRUE)
    git(repo, "add", "calc/core.py")
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")
    write(repo, "calc/extra.py", '"""Extra."""\n\nVALUE = 1\n')


def run_cli(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_scoring_leaves_tree_index_stash_and_refs_alone(repo: Path, tmp_path: Path) -> None:
    make_dirty(repo)
    before = state(repo)
    # The benchmark materialises the base in a temporary worktree: the heaviest path.
    result = score(repo)
    assert state(repo) == before
    assert set(result.changed_files) == {"calc/core.py", "calc/extra.py"}
    assert result.criteria["security"].score == pytest.approx(0.5)
    assert result.criteria["style"].score is not None and result.criteria["style"].score < 1
    performance = result.criteria["performance"]
    assert benchmark_ran(performance.status, performance.steps), performance


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_killed_run_leaves_everything_as_it_was(repo: Path, tmp_path: Path, sig: int) -> None:
    make_dirty(repo)
    pid_file = tmp_path / "bench.pids"
    rubric = (repo / "calc.rubric").read_text()
    write(
        repo,
        "calc.rubric",
        rubric.replace(
            'benchmark command="python bench.py" repeat=3', SLOW_BENCH.format(pid=pid_file)
        ),
    )
    before = state(repo)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    # Wait until the run is in the middle of it: a base worktree exists and benchmarks run.
    while time.monotonic() < deadline:
        if pid_file.exists() and git(repo, "worktree", "list").count("\n") > 1:
            break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the benchmark never started")
    assert any(temp.iterdir()), "the base checkout lives in the temporary folder"
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode in (130, 143), stderr  # SIGHUP ends it as SIGTERM does
    assert "Traceback" not in stderr
    assert state(repo) == before
    assert list(temp.iterdir()) == []
    for pid in pid_file.read_text().split():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_patch_is_scored_in_a_temporary_checkout(repo: Path, base_repo: Path) -> None:
    edit(repo, "calc/core.py", *SHELL_TRUE)
    write(repo, "calc/added.py", '"""Added."""\n\nVALUE = 1\n')
    git(repo, "add", "-N", "calc/added.py")
    patch = git(repo, "diff")
    git(repo, "reset", "-q")
    git(repo, "checkout", "-q", "--", "calc/core.py")
    (repo / "calc" / "added.py").unlink()
    before = state(repo)
    result = score(repo, patch=patch, enabled={"benchmark": False})
    assert state(repo) == before
    assert set(result.changed_files) == {"calc/core.py", "calc/added.py"}
    assert result.criteria["security"].score == pytest.approx(0.5)
    assert result.criteria["correctness"].score == 1.0
    assert git(repo, "worktree", "list").count("\n") == 1
    with pytest.raises(ScoringError, match="does not apply"):
        score(repo, patch="--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n", enabled=STATIC)


def test_base_is_the_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "calc/core.py", *SHELL_TRUE)
    git(repo, "commit", "-q", "-am", "shell")
    write(repo, "README.md", "docs\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "readme")
    result = score(repo, base="main", enabled=STATIC)
    assert set(result.changed_files) == {"calc/core.py", "README.md"}
    assert result.base == git(repo, "rev-parse", "main").strip()
    assert result.criteria["security"].score == pytest.approx(0.5)
    assert score(repo, enabled=STATIC).changed_files == ()


def test_renames_deletions_binaries_and_spaces(repo: Path) -> None:
    git(repo, "mv", "bench.py", "bench mark.py")
    git(repo, "rm", "-q", "calc/__init__.py")
    (repo / "logo.png").write_bytes(b"\x89PNG\0\0binary")
    write(repo, "calc/with space.py", '"""Spaced."""\n\n\ndef Spaced():\n    """Bad name."""\n')
    result = score(repo, enabled=STATIC)
    changed = set(result.changed_files)
    assert changed == {"bench mark.py", "calc/__init__.py", "logo.png", "calc/with space.py"}
    naming = result.criteria["naming"]
    # A module name with a space breaks the style too, also when a rename brought it.
    assert sorted((f.path, f.line) for f in naming.findings) == [
        ("bench mark.py", 1),
        ("calc/with space.py", 1),
        ("calc/with space.py", 4),
    ]
    assert all(c.status == "scored" for c in result.criteria.values() if c.source == "measured")


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "fresh", commit=False)
    result = score(repo, enabled={"benchmark": True})
    assert result.base is None
    assert set(result.changed_files) == set(FILES)
    assert result.criteria["performance"].status == "skipped"
    assert result.criteria["correctness"].score == 1.0
    assert result.criteria["docs"].score == 1.0


def test_cli_errors_are_one_line_with_exit_2(tmp_path: Path, repo: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    cases = [
        (run_cli(outside), "not inside a git repository"),
        (run_cli(repo, "--base", "no-such-rev"), "unknown revision 'no-such-rev'"),
        (run_cli(repo, "--rubric", str(tmp_path / "missing.rubric")), "no such rubric file"),
        (run_cli(repo, "--only", "nonsense"), "unknown check 'nonsense'"),
        (run_cli(repo, "--patch", str(tmp_path / "none.diff")), "none.diff"),
    ]
    write(repo, "calc.rubric", "reward_rubric {\n  criterion style weight=x\n}\n")
    cases.append((run_cli(repo), "calc.rubric:2:"))
    write(repo, "second.rubric", "reward_rubric { criterion a }\n")
    cases.append((run_cli(repo), "several rubrics at the repository root"))
    for done, message in cases:
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("rubric score: ") and message in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and done.stdout == ""


def test_default_rubric_is_said(repo: Path) -> None:
    (repo / "calc.rubric").unlink()
    done = run_cli(repo, "--skip", "tests", "--skip", "coverage")
    assert "embedded default rubric" in done.stdout
    for name in ("correctness", "edge_cases", "architecture", "docs"):
        assert name in done.stdout
    assert done.returncode == 1  # correctness unscored: minimum correctness 4 fails
