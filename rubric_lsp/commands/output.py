"""The lines every subcommand writes the same way: errors on stderr and the verdict."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

from rubric_lsp.language.model import Diagnostic, Position


def error_line(command: str | None, message: str) -> str:
    """The one line a failing subcommand says why in: 'rubric score: ...' or 'rubric: ...'."""
    return f"rubric {command}: {message}" if command else f"rubric: {message}"


def print_error(command: str | None, message: str) -> None:
    """Write a subcommand's error line to stderr."""
    print(error_line(command, message), file=sys.stderr)


def location(path: object, position: Position) -> str:
    """'path:line:column', 1-based, as compilers and editors' problem matchers read it."""
    return f"{path}:{position.line + 1}:{position.character + 1}"


def diagnostic_line(path: object, diagnostic: Diagnostic) -> str:
    """A diagnostic compiler style: 'path:line:column: severity: message [code]'."""
    where = location(path, diagnostic.range.start)
    return f"{where}: {diagnostic.severity.label}: {diagnostic.message} [{diagnostic.code}]"


def verdict_line(verdict: str) -> str:
    """The verdict as the text reports end their summary with."""
    return f"verdict: {verdict}"


def plain_output() -> bool:
    """Whether output must carry no escape sequences: NO_COLOR set (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def console(file: IO[str] | None = None) -> Console:
    """A rich console for a report: styled on a terminal, plain with NO_COLOR or into a file."""
    # Imported here: `rubric check` and `rubric fmt` never pay for rich.
    from rich.console import Console

    if plain_output():
        # color_system=None drops bold and every other style too, not only colours.
        return Console(file=file, soft_wrap=True, color_system=None, highlight=False)
    return Console(file=file, soft_wrap=True)


def output_problem(path: str) -> str | None:
    """Why the report cannot be written to ``path``, before any work is done; None when it can."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        return f"-o {path}: is a folder"
    if not folder.is_dir():
        return f"-o {path}: no folder {folder}"
    if target.exists() and not os.access(target, os.W_OK):
        return f"-o {path}: not writable"
    if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"-o {path}: folder {folder} is not writable"
    return None
