"""Changed files too large to diff line by line, found before the diff from sizes alone."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from rubric_lsp.scoring.gitrepo import git

_NO_BLOB = "0" * 40


def parse_raw(stdout: bytes) -> list[tuple[str, str, str]]:
    """``git diff --raw -z --no-renames`` as (status letter, old blob id, path)."""
    fields = stdout.decode("utf-8", errors="surrogateescape").split("\0")
    entries = []
    for index in range(0, len(fields) - 1, 2):
        meta, path = fields[index], fields[index + 1]
        parts = meta.split()
        if len(parts) == 5 and meta.startswith(":"):
            entries.append((parts[4][:1], parts[2], path))
    return entries


async def oversized(
    work_dir: Path, base: str, limit: int, run_filters: bool = False
) -> list[tuple[str, str, int]]:
    """(status letter, path, bytes) of the changed files with a side over ``limit`` bytes.

    git's line diff of a rewritten 50 MB file takes most of a GB and minutes to read back;
    ``--raw`` compares blob ids only.
    """
    raw = await git(
        work_dir,
        "diff",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        base,
        "--",
        run_filters=run_filters,
    )
    entries = parse_raw(raw.stdout)
    if not entries:
        return []
    old_ids = sorted({blob for _, blob, _ in entries if blob != _NO_BLOB})
    sizes: dict[str, int] = {}
    if old_ids:
        listed = await git(
            work_dir,
            "cat-file",
            "--batch-check=%(objectname) %(objectsize)",
            stdin="".join(f"{blob}\n" for blob in old_ids).encode(),
        )
        for line in listed.stdout.decode().splitlines():
            name, _, digits = line.partition(" ")
            if digits.isdigit():
                sizes[name] = int(digits)
    found = []
    for status, blob, path in entries:
        size = sizes.get(blob, 0)
        if status != "D":
            with contextlib.suppress(OSError):
                size = max(size, os.lstat(work_dir / path).st_size)
        if size > limit:
            found.append((status, path, size))
    return found
