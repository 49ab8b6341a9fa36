"""Which rubric scores the change: --rubric, the one at the repository root, or the default."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.language.model import Document, Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring.proc import ScoringError

# Seed 001's seven criteria, each bound to a check, with its acceptance rule.
DEFAULT_RUBRIC = """\
# The default rubric of `rubric score`, used when the repository has none.
reward_rubric {
  criterion correctness weight=5                     # tests
  criterion tests weight=5                           # coverage
  criterion edge_cases weight=5 check=error_handling
  criterion readability weight=5                     # complexity
  criterion naming weight=5                          # naming
  criterion architecture weight=5 check=pylint
  criterion docs weight=5                            # docstrings
}

accept_if {
  total_gte 27
  minimum correctness 4
  minimum tests 4
  minimum architecture 4
}

review_if {
  weighted_between 0.5 0.7
}
"""

DEFAULT_LABEL = "<default>"


@dataclass(frozen=True)
class LoadedRubric:
    """A parsed, valid rubric and where it came from."""

    document: Document
    path: str
    origin: str  # "option", "repository", "default" or "text"


# A rubric is a page of text; anything longer is not one (and /dev/zero never ends).
MAX_RUBRIC_BYTES = 1024 * 1024


def read_rubric(file: Path, label: str, strict: bool = True) -> str:
    """A rubric file's text; a FIFO, a device, a huge or undecodable file is a one-line error."""
    try:
        info = file.stat()
    except FileNotFoundError:
        raise ScoringError(f"{label}: no such rubric file") from None
    except OSError as error:
        raise ScoringError(f"{label}: cannot read: {error.strerror or error}") from None
    # Opening a FIFO would block until a writer comes: check before opening.
    if not stat.S_ISREG(info.st_mode):
        raise ScoringError(f"{label}: not a regular file (a FIFO, device or folder)")
    if info.st_size > MAX_RUBRIC_BYTES:
        raise ScoringError(f"{label}: {info.st_size} bytes, too large for a rubric")
    try:
        # O_NONBLOCK: a file swapped for a FIFO after the check still cannot block the open.
        descriptor = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            data = stream.read(MAX_RUBRIC_BYTES + 1)
    except OSError as error:
        raise ScoringError(f"{label}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_RUBRIC_BYTES:
        raise ScoringError(f"{label}: too large for a rubric")
    try:
        return data.decode("utf-8", errors="strict" if strict else "replace")
    except UnicodeDecodeError as error:
        raise ScoringError(f"{label}: cannot read: {error}") from None


def root_rubrics(root: Path) -> list[Path]:
    """The ``*.rubric`` files at the repository root, also those that cannot be read."""
    found = []
    for path in root.glob("*.rubric"):
        try:
            if path.is_file():
                found.append(path)
        except OSError:  # a link into a folder we may not enter: read_rubric says so
            found.append(path)
    return sorted(found)


def load(root: Path, path: str | Path | None = None, text: str | None = None) -> LoadedRubric:
    """Find, read, parse and validate the rubric; errors are one line."""
    if text is not None:
        label, origin = str(path) if path else "<text>", "text"
    elif path is not None:
        text = read_rubric(Path(path), str(path))
        label, origin = str(path), "option"
    else:
        found = root_rubrics(root)
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise ScoringError(
                f"several rubrics at the repository root ({names}): pick one with --rubric"
            )
        if found:
            text = read_rubric(found[0], str(found[0]), strict=False)
            label, origin = str(found[0]), "repository"
        else:
            text, label, origin = DEFAULT_RUBRIC, DEFAULT_LABEL, "default"
    document = parse(text)
    errors = [d for d in validate(document) if d.severity == Severity.ERROR]
    if errors:
        first = errors[0]
        at = first.range.start
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ScoringError(
            f"{label}:{at.line + 1}:{at.character + 1}: {first.message} [{first.code}]{more}"
        )
    if not document.criteria:
        raise ScoringError(f"{label}: the rubric defines no criterion")
    return LoadedRubric(document, label, origin)


def describe_origin(rubric: LoadedRubric) -> str:
    """Where the rubric came from, said in the output."""
    if rubric.origin == "default":
        return "embedded default rubric (no *.rubric at the repository root)"
    if rubric.origin == "repository":
        return f"{rubric.path} (found at the repository root)"
    return rubric.path
