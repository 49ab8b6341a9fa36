"""Which files of the user's working tree a trusted run's tests or benchmark changed."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from rubric_lsp.scoring.gitrepo import git

# A file's size, modification time and inode, or None when it cannot be read.
Stamp = tuple[int, int, int] | None


def _stamps(root: Path, names: list[str]) -> dict[str, Stamp]:
    stamps: dict[str, Stamp] = {}
    for name in names:
        try:
            # lstat: a symlink is the link itself; its target may lie outside the tree.
            info = os.lstat(root / name)
        except OSError:
            stamps[name] = None
            continue
        stamps[name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return stamps


async def tree_files(root: Path) -> dict[str, Stamp]:
    """Every tracked or untracked, not ignored file of the tree, with its stamp."""
    # ls-files reads the index and the folders and writes nothing (status may refresh the index).
    done = await git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    names = sorted({n for n in done.stdout.decode("utf-8", errors="replace").split("\0") if n})
    return await asyncio.to_thread(_stamps, root, names)


def changed_between(before: dict[str, Stamp], after: dict[str, Stamp]) -> tuple[str, ...]:
    """Files that appeared, went or changed between two looks at the tree, sorted."""
    return tuple(sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n)))
