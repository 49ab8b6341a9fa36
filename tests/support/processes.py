"""Finding the processes a test started, by how they were called."""

from __future__ import annotations

from pathlib import Path


def running(*argv: str) -> list[int]:
    """Pids of the processes whose command line starts with ``argv``."""
    prefix = [part.encode() for part in argv]
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                called = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if called[: len(prefix)] == prefix:
                found.append(int(entry.name))
    return found
