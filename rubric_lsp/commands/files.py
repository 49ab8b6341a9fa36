"""Finding and reading .rubric files for the CLI, with one-line errors."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.language.model import Diagnostic, Position, Range, Severity


class UsageError(Exception):
    """A problem with the command line or the file system: exit code 2."""


@dataclass(frozen=True)
class SourceFile:
    """A file's decoded text, and an error if its bytes were not valid UTF-8."""

    path: Path
    text: str
    encoding_error: Diagnostic | None
    # A byte-order mark is not part of the text; writing puts it back.
    bom: bool = False


def find_rubric_files(paths: Iterable[str]) -> list[Path]:
    """Expand folders to the *.rubric files under them, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*.rubric") if p.is_file() and not _hidden(p, path))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{raw}: no such file or directory")
    return found


def _hidden(path: Path, root: Path) -> bool:
    """Skip files inside hidden folders (.git, .venv) and node_modules."""
    parts = path.relative_to(root).parts[:-1]
    return any(part.startswith(".") or part == "node_modules" for part in parts)


def read_source(path: Path) -> SourceFile:
    """Read a file as UTF-8; undecodable bytes become U+FFFD and one error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror or error}") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        return SourceFile(path, data.decode("utf-8"), None, bom)
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        prefix = data[: error.start].decode("utf-8", errors="replace")
        line = prefix.count("\n")
        column = len(prefix) - (prefix.rfind("\n") + 1)
        at = Position(line, column)
        diagnostic = Diagnostic(
            Range(at, Position(line, column + 1)),
            Severity.ERROR,
            "invalid-encoding",
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8",
        )
        return SourceFile(path, text, diagnostic, bom)


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step, so an interruption loses nothing."""
    directory = path.parent
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temp_name, path.stat().st_mode & 0o7777)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
