"""The changed files' lines, read only inside the repository, for positions and fingerprints."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# As scoring itself: a bigger file is never opened (see "What scoring never does").
MAX_FILE_BYTES = 2 * 1024 * 1024


class Sources:
    """Lines of the repository's files by relative path; none without a root (a --patch run)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root.resolve() if root is not None else None
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        """The file's lines, or None when it is absent, outside the root, special or too big."""
        if path not in self._lines:
            self._lines[path] = self._read(path)
        return self._lines[path]

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of the file, without its end of line; None if unknown."""
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> list[str] | None:
        if self.root is None:
            return None
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root):
            return None
        try:
            # O_NONBLOCK: a FIFO planted under a changed name must not block the report.
            descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                return None
            data = file.read()
        return data.decode("utf-8", errors="replace").splitlines()
