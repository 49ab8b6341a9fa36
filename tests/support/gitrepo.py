"""Git repositories the tests create and change: real git, a fixed author, a digest of their state."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from .calc_package import FILES


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
