"""Results cached by content and configuration, in a folder under the git dir."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

# Bumped whenever a cached shape changes, so old entries are ignored.
CACHE_VERSION = "2"


def key(*parts: object) -> str:
    """A stable digest of the parts that decide a result."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()


class Cache:
    """A JSON file per key; unreadable entries count as misses, writes are atomic."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, kind: str, digest: str) -> Any | None:
        """A cached value, or None."""
        if self.folder is None:
            return None
        path = self.folder / kind / f"{digest}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, kind: str, digest: str, value: Any) -> None:
        """Store a value; a cache that cannot be written is simply not used."""
        if self.folder is None:
            return
        folder = self.folder / kind
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(value, stream)
            os.replace(temp, folder / f"{digest}.json")
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                Path(temp).unlink()
