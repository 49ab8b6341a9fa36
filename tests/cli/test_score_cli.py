"""`rubric score` as a CI step runs it: exit codes, -o, NO_COLOR, relative paths, hints."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from support.gitrepo import git, init_repo
from support.report_change import make_change

RUBRIC = [sys.executable, "-m", "rubric_lsp.cli"]
# bandit alone is quick, and leaves `correctness` unmeasured: its minimum rejects the change.
QUICK = ["score", "--only", "bandit"]


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose change the rubric rejects."""
    repo = init_repo(tmp_path_factory.mktemp("cli") / "calc")
    make_change(repo)
    return repo


def rubric(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would."""
    return subprocess.run(
        [*RUBRIC, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def test_a_rejected_change_exits_1_and_0_with_exit_zero(change: Path) -> None:
    assert rubric(*QUICK, cwd=change).returncode == 1
    done = rubric(*QUICK, "--exit-zero", "--format", "json", cwd=change)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] is False


def test_exit_zero_keeps_errors_at_2(tmp_path: Path) -> None:
    done = rubric("score", "--exit-zero", cwd=tmp_path)
    assert done.returncode == 2 and "not inside a git repository" in done.stderr


def test_an_output_in_a_missing_folder_is_one_line_before_any_work(tmp_path: Path) -> None:
    # Not a repository either: the output is checked first, so it is what the line names.
    done = rubric("score", "-o", "missing/dir/x.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "rubric score: -o missing/dir/x.json: no folder missing/dir\n"
    assert rubric("score", "-o", ".", cwd=tmp_path).stderr == "rubric score: -o .: is a folder\n"


def test_the_json_names_the_rubric_relative_to_the_repository(change: Path) -> None:
    data = json.loads(rubric(*QUICK, "--format", "json", cwd=change / "calc").stdout)
    assert data["rubric"] == "calc.rubric"
    assert data["rubric_origin"] == "calc.rubric (found at the repository root)"
    assert str(change) not in json.dumps(data["rubric_origin"])


def in_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Everything the command writes to a pseudo-terminal (stdout and stderr both)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*RUBRIC, *args],
        cwd=cwd,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


def test_no_color_in_a_terminal_writes_no_escape_sequence(change: Path) -> None:
    styled = in_a_terminal(QUICK, change, {})
    assert "\x1b[" in styled, "a terminal without NO_COLOR is styled: the probe is real"
    plain = in_a_terminal(QUICK, change, {"NO_COLOR": "1"})
    assert "verdict: rejected" in plain and "\x1b" not in plain


def test_progress_shows_in_a_terminal_for_every_format(change: Path) -> None:
    out = in_a_terminal([*QUICK, "--format", "sarif"], change, {"NO_COLOR": "1"})
    assert "[1/1] bandit: scored" in out


def test_a_shallow_clone_without_the_base_says_how_to_fetch_it(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / "origin")
    git(origin, "checkout", "-q", "-b", "feature")
    (origin / "feature.py").write_text("X = 1\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "feature")
    git(origin, "checkout", "-q", "main")
    (origin / "main.py").write_text("Y = 1\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "main")
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "-b",
            "feature",
            f"file://{origin}",
            str(tmp_path / "clone"),
        ],
        check=True,
    )
    done = rubric("score", "--base", "origin/main", cwd=tmp_path / "clone")
    assert done.returncode == 2
    assert "no common ancestor" in done.stderr and "fetch-depth: 0" in done.stderr
    assert len(done.stderr.splitlines()) == 1
