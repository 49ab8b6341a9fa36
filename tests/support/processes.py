"""Finding the processes a test started, by how they were called."""

from __future__ import annotations

from pathlib import Path


def command_lines() -> dict[int, bytes]:
    """Every process's command line (arguments NUL-separated), by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # it ended while we looked
    return found


def running(*argv: str) -> list[int]:
    """Pids of the processes whose command line starts with ``argv``."""
    prefix = [part.encode() for part in argv]
    return [
        pid
        for pid, called in command_lines().items()
        if called.split(b"\0")[: len(prefix)] == prefix
    ]
