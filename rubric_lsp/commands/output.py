"""The lines every subcommand writes the same way: errors on stderr and the verdict."""

from __future__ import annotations

import sys

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
