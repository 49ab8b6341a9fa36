"""A base revision checked out in a temporary folder outside the tree, always removed."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

from rubric_lsp.scoring.gitrepo import git
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.reaper import OWNER_FILE, claim, owned_tempdir
from rubric_lsp.scoring.safegit import run_git_sync

PREFIX = "rubric-snapshot-"


def _admin_folder(folder: Path) -> Path | None:
    """The worktree's folder under .git/worktrees/, read from its .git file."""
    try:
        text = (folder / ".git").read_text(encoding="utf-8")
    except OSError:
        return None
    return Path(text.removeprefix("gitdir:").strip()) if text.startswith("gitdir:") else None


def _remove(root: Path, folder: Path, admin: Path | None) -> None:
    """Unregister and delete a temporary worktree; synchronous so cancellation cannot skip it."""
    run_git_sync(root, ["worktree", "remove", "--force", "--force", str(folder)])
    shutil.rmtree(folder.parent, ignore_errors=True)
    # Never `git worktree prune`: it would also drop a user's worktree whose folder is
    # absent (an unmounted disk). Only our own registration goes, when git left it.
    if admin is not None and (admin / OWNER_FILE).is_file():
        shutil.rmtree(admin, ignore_errors=True)


@contextlib.asynccontextmanager
async def snapshot(root: Path, commit: str | None) -> AsyncIterator[Path]:
    """Check ``commit`` out, detached, in a temporary folder; yield the folder."""
    # Marked before `git worktree add`, so a later run can tell a killed run's leftovers.
    parent = owned_tempdir(PREFIX)
    # Named like its folder, the registration under .git/worktrees/ says whose it is.
    folder = parent / parent.name
    admin: Path | None = None
    try:
        if commit is None:  # no commits yet: the base is an empty folder
            folder.mkdir()
            yield folder
            return
        # No hooks and no filters (safegit): our checkout runs none of the user's programs.
        done = await git(
            root,
            "worktree",
            "add",
            "--detach",
            "--quiet",
            str(folder),
            commit,
            check=False,
        )
        if done.returncode != 0:
            raise ScoringError(f"cannot check out {commit[:12]}: {done.last_error_line()}")
        admin = _admin_folder(folder)
        if admin is not None:
            claim(admin)
        yield folder
    finally:
        if commit is None:
            shutil.rmtree(parent, ignore_errors=True)
        else:
            _remove(root, folder, admin or _admin_folder(folder))


async def apply_patch(folder: Path, patch: bytes) -> None:
    """Apply a unified diff to a snapshot (never to the user's tree)."""
    done = await git(folder, "apply", "--whitespace=nowarn", "-", check=False, stdin=patch)
    if done.returncode != 0:
        raise ScoringError(f"the patch does not apply: {done.last_error_line()}")
