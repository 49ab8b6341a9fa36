"""A small real package with tests and a benchmark, in a git repository the tests create."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

PYPROJECT = """\
[project]
name = "calc"
version = "0.1"

[tool.pylint."messages control"]
# Docstrings are the docstrings critic's business; pylint would count them twice.
disable = ["missing-module-docstring", "missing-class-docstring", "missing-function-docstring"]
"""

CORE = '''\
"""Arithmetic and parsing helpers."""

import subprocess


class ConfigError(ValueError):
    """A configuration value is invalid."""


def parse_port(text):
    """Parse a TCP port number."""
    try:
        port = int(text)
    except ValueError as error:
        raise ConfigError(f"not a port: {text}") from error
    if not 0 < port < 65536:
        raise ConfigError(f"port out of range: {port}")
    return port


def total(values):
    """Sum the values."""
    result = 0
    for value in values:
        result += value
    return result


def list_dir(path):
    """List a directory with ls."""
    done = subprocess.run(["ls", path], check=True, capture_output=True, text=True)
    return done.stdout.split()
'''

TESTS = """\
import pytest

from calc.core import ConfigError, list_dir, parse_port, total


def test_parse_port():
    assert parse_port("80") == 80


def test_parse_port_range():
    with pytest.raises(ConfigError):
        parse_port("70000")


def test_total():
    assert total([1, 2, 3]) == 6


def test_list_dir(tmp_path):
    (tmp_path / "a").write_text("x")
    assert list_dir(str(tmp_path)) == ["a"]
"""

BENCH = '''\
"""Time total() on a fixed input; print the seconds on the last line."""

import time

from calc.core import total

VALUES = list(range(20000))
start = time.perf_counter()
for _ in range(10):
    total(VALUES)
print(time.perf_counter() - start)
'''

RUBRIC = """\
reward_rubric {
  criterion correctness weight=2
  criterion tests weight=1
  criterion style weight=1
  criterion security weight=2
  criterion performance weight=1
  criterion docs weight=1
  criterion error_handling weight=2
  criterion readability weight=1
  criterion naming weight=1
}

checks {
  benchmark command="python bench.py" repeat=3
}

accept_if {
  weighted_gte 0.8
  minimum correctness 4
}
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "calc/__init__.py": '"""A small calculator package."""\n',
    "calc/core.py": CORE,
    "tests/test_core.py": TESTS,
    "bench.py": BENCH,
    "calc.rubric": RUBRIC,
    ".gitignore": "__pycache__/\n",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        # Reading must not refresh the index: the state digest hashes its bytes.
        "GIT_OPTIONAL_LOCKS": "0",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def init_repo(path: Path, files: dict[str, str] | None = None, commit: bool = True) -> Path:
    """A git repository holding ``files`` (the fixture package by default), committed."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    for name, text in (FILES if files is None else files).items():
        write(path, name, text)
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "base")
    return path


def write(repo: Path, name: str, text: str) -> None:
    """Write a file in the repository, creating folders."""
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def edit(repo: Path, name: str, old: str, new: str) -> None:
    """Replace one exact piece of a file; fails when it is not there."""
    text = (repo / name).read_text()
    assert old in text, f"{old!r} not in {name}"
    (repo / name).write_text(text.replace(old, new, 1))


def copy_repo(source: Path, target: Path) -> Path:
    """An independent copy of a fixture repository."""
    shutil.copytree(source, target, symlinks=True)
    return target


def state(repo: Path) -> str:
    """A digest of everything scoring must not change: files, index, stash, worktrees, refs."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if not (folder == str(repo) and d == ".git"))
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(str(path.relative_to(repo)).encode() + b"\0")
            digest.update(oct(path.lstat().st_mode).encode())
            if path.is_file() and not path.is_symlink():
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    index = repo / ".git" / "index"
    if index.exists():
        digest.update(hashlib.sha256(index.read_bytes()).digest())
    for args in (
        ("stash", "list"),
        ("worktree", "list", "--porcelain"),
        ("for-each-ref",),
        ("status", "--porcelain=v1", "--untracked-files=all", "--ignored"),
    ):
        digest.update(git(repo, *args).encode())
    return digest.hexdigest()


def python() -> str:
    """The interpreter running the tests (it has pytest, coverage, pylint and bandit)."""
    return sys.executable
