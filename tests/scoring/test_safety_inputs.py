"""Inputs that used to hang, crash or leak: symlinks out of the tree, FIFOs, huge files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rubric_lsp.scoring.api import score

from .fixture_repo import git, write

STATIC = {"tests": False, "coverage": False, "benchmark": False}


def score_cli(repo: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done, time.monotonic() - started


def test_symlinks_out_of_the_repository_are_never_read(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret_token = (\n")
    # One new, one committed then changed into a link: both lead outside the repository.
    os.symlink(secret, repo / "calc" / "leak.py")
    (repo / "calc" / "__init__.py").unlink()
    os.symlink(secret, repo / "calc" / "__init__.py")
    result = score(repo, enabled=STATIC, use_cache=False)
    text = json.dumps(result.to_json())
    assert "secret_token" not in text
    assert {"calc/leak.py", "calc/__init__.py"} <= set(result.changed_files)
    style = result.criteria["style"]
    assert not [f for f in style.findings if f.path in ("calc/leak.py", "calc/__init__.py")]
    note = "calc/leak.py (a symlink whose target leaves the repository)"
    for criterion in ("style", "docs", "security", "naming"):
        assert note in result.criteria[criterion].steps[0], result.criteria[criterion].steps


def test_a_fifo_or_dev_zero_as_the_rubric_is_a_one_line_error(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "r.rubric"
    os.mkfifo(fifo)
    for rubric in (fifo, Path("/dev/zero")):
        done, seconds = score_cli(repo, "--rubric", str(rubric), "--skip", "tests")
        assert done.returncode == 2, done.stderr
        assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1
        assert seconds < 30


def test_a_50_mb_changed_file_is_skipped_and_said(repo: Path) -> None:
    write(repo, "calc/huge.py", "x = 1\n" * (50 * 1024 * 1024 // 6))
    started = time.monotonic()
    result = score(repo, enabled=STATIC, use_cache=False)
    seconds = time.monotonic() - started
    assert "calc/huge.py" in result.changed_files
    assert seconds < 90
    assert "calc/huge.py (50 MB, over the 2 MB limit)" in result.criteria["style"].steps[0]
    assert "1 file(s) skipped" in result.criteria["docs"].comment


@pytest.mark.slow
def test_a_50_mb_committed_file_changed_is_skipped(repo: Path) -> None:
    write(repo, "calc/huge.py", "x = 1\n" * (50 * 1024 * 1024 // 6))
    git(repo, "add", "calc/huge.py")
    git(repo, "commit", "-q", "-m", "huge")
    write(repo, "calc/huge.py", "x = 2\n" + "x = 1\n" * (50 * 1024 * 1024 // 6))
    started = time.monotonic()
    result = score(repo, enabled=STATIC, use_cache=False)
    assert time.monotonic() - started < 120
    assert "1 file(s) skipped" in result.criteria["style"].comment
