"""A base revision checked out in a temporary folder outside the tree, always removed."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from rubric_lsp.scoring.gitrepo import git
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.safegit import run_git_sync

PREFIX = "rubric-snapshot-"


def _remove(root: Path, folder: Path) -> None:
    """Unregister and delete a temporary worktree; synchronous so cancellation cannot skip it."""
    run_git_sync(root, ["worktree", "remove", "--force", "--force", str(folder)])
    shutil.rmtree(folder.parent, ignore_errors=True)
    # A worktree whose folder vanished before removal leaves a stale entry; prune drops it.
    run_git_sync(root, ["worktree", "prune"])


@contextlib.asynccontextmanager
async def snapshot(root: Path, commit: str | None) -> AsyncIterator[Path]:
    """Check ``commit`` out, detached, in a temporary folder; yield the folder."""
    parent = Path(tempfile.mkdtemp(prefix=PREFIX))
    folder = parent / "tree"
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
        yield folder
    finally:
        if commit is None:
            shutil.rmtree(parent, ignore_errors=True)
        else:
            _remove(root, folder)


async def apply_patch(folder: Path, patch: bytes) -> None:
    """Apply a unified diff to a snapshot (never to the user's tree)."""
    done = await git(folder, "apply", "--whitespace=nowarn", "-", check=False, stdin=patch)
    if done.returncode != 0:
        raise ScoringError(f"the patch does not apply: {done.last_error_line()}")
