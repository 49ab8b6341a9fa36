"""Non-descriptive names: one-letter names bound on changed lines, beyond the conventional ones."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import parse

# Loop counters, sizes, coordinates and the throwaway name: one letter says enough there.
DEFAULT_ALLOWED = frozenset({"i", "j", "k", "n", "x", "y", "z", "_"})
# Allowed only as the name of a caught exception (``except ValueError as e``).
EXCEPTION_NAMES = frozenset({"e"})
CODE = "non-descriptive-name"


@dataclass(frozen=True)
class ShortName:
    """A one-letter name the change binds, where it is bound."""

    name: str
    kind: str
    line: int
    column: int


def allowed_names(setting: str | None) -> frozenset[str]:
    """The accepted one-letter names: the checks block's ``allow="..."`` or the defaults."""
    if setting is None:
        return DEFAULT_ALLOWED
    return frozenset(part.strip() for part in setting.split(",") if part.strip())


def _bindings(tree: ast.Module) -> Iterator[ShortName]:
    """Every name the module binds: definitions, arguments, targets, caught exceptions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            yield ShortName(node.name, kind, node.lineno, node.col_offset)
        elif isinstance(node, ast.arg):
            yield ShortName(node.arg, "argument", node.lineno, node.col_offset)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield ShortName(node.id, "variable", node.lineno, node.col_offset)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield ShortName(node.name, "exception", node.lineno, node.col_offset)


def short_names(changed: ChangedFile, text: str, allowed: frozenset[str]) -> list[ShortName]:
    """One-letter names bound on the file's added lines, other than the allowed ones."""
    tree = parse(text)
    if tree is None:
        return []
    found = []
    for binding in _bindings(tree):
        if len(binding.name) != 1 or binding.name in allowed:
            continue
        if binding.kind == "exception" and binding.name in EXCEPTION_NAMES:
            continue
        if changed.wholly_added or binding.line in changed.added:
            found.append(binding)
    return sorted(set(found), key=lambda b: (b.line, b.column))
