"""A Python file to mutate, and the small line edits every defect transformation is made of.

Edits replace or insert whole lines located by ``ast``, so the twin differs from the original
only where the defect is: reformatting the whole file would change every line and move
criteria that have nothing to do with the defect.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from rubric_lsp.scoring.pysource import FunctionNode, definitions, own_nodes


def split_lines(text: str) -> list[str]:
    """Lines ending in ``\\n``, as ``ast`` and diffs count them (not ``str.splitlines``)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


@dataclass(frozen=True)
class Source:
    """One changed Python file's new side and the lines the change added to it."""

    path: str
    text: str
    added: frozenset[int] = frozenset()
    # The base version's text; None for a new file.
    base: str | None = None
    # The added lines the original's test run executed (coverage); None when not measured.
    covered: frozenset[int] | None = None

    @cached_property
    def tree(self) -> ast.Module | None:
        """The parsed module, or None when the new side is not valid Python."""
        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError):
            return None

    @cached_property
    def lines(self) -> list[str]:
        """The lines with their endings; a last line without one gets one."""
        return split_lines(self.text if self.text.endswith("\n") else self.text + "\n")

    def touches(self, node: ast.AST) -> bool:
        """Whether the change added a line inside ``node``."""
        first = getattr(node, "lineno", 0)
        last = getattr(node, "end_lineno", None) or first
        return any(first <= line <= last for line in self.added)


def functions(source: Source) -> list[FunctionNode]:
    """The file's functions and methods, those the change touched first, then the others."""
    found = [
        d.node
        for d in definitions(source.tree)
        if isinstance(d.node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    return [f for f in found if source.touches(f)] + [f for f in found if not source.touches(f)]


def base_functions(source: Source) -> dict[str, FunctionNode]:
    """The base version's functions by qualified name (none for a new file)."""
    if source.base is None:
        return {}
    try:
        tree = ast.parse(source.base)
    except (SyntaxError, ValueError):
        return {}
    return {
        d.qualname: d.node
        for d in definitions(tree)
        if isinstance(d.node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def qualified_names(source: Source) -> dict[int, str]:
    """Each function node's qualified name, by the node's id."""
    return {id(d.node): d.qualname for d in definitions(source.tree)}


def own(function: FunctionNode, kind: type[ast.AST]) -> Iterator[ast.AST]:
    """Nodes of one kind in a function, not in its nested definitions, in source order."""
    nodes = [node for node in own_nodes(function) if isinstance(node, kind)]
    yield from sorted(nodes, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))


def has_docstring(node: ast.AST) -> bool:
    """Whether a module, class or function body starts with a string constant."""
    body = getattr(node, "body", None)
    if not body or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, ast.Constant) and isinstance(value.value, str)


def body_statements(function: FunctionNode) -> list[ast.stmt]:
    """A function's statements after its docstring."""
    return function.body[1:] if has_docstring(function) else list(function.body)


def on_own_lines(function: FunctionNode) -> bool:
    """Whether the body starts below the ``def`` line, so lines can be inserted into it."""
    return function.body[0].lineno > function.lineno


def indentation(line: str) -> str:
    """The leading whitespace of a line."""
    return line[: len(line) - len(line.lstrip())]


def body_indent(
    source: Source, function: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
) -> str:
    """The indentation of a function's body."""
    return indentation(source.lines[function.body[0].lineno - 1])


def replace_lines(source: Source, first: int, last: int, new: list[str]) -> str:
    """The text with lines ``first``..``last`` (1-based, inclusive) replaced by ``new``."""
    lines = source.lines
    return "".join([*lines[: first - 1], *new, *lines[last:]])


def insert_lines(source: Source, before: int, new: list[str]) -> str:
    """The text with ``new`` inserted before line ``before`` (1-based)."""
    return replace_lines(source, before, before - 1, new)


def insert_at_body_start(source: Source, function: FunctionNode, code: list[str]) -> str | None:
    """``code`` (lines relative to the body) as the first statements after the docstring."""
    if not on_own_lines(function):
        return None
    indent = body_indent(source, function)
    rest = body_statements(function)
    where = rest[0].lineno if rest else (function.body[0].end_lineno or function.lineno) + 1
    if rest and has_docstring(function) and rest[0].lineno == function.body[0].end_lineno:
        return None  # `"""doc"""; statement` on one line
    # Decorators of a nested definition come before its `def` line.
    decorators = getattr(rest[0], "decorator_list", []) if rest else []
    if decorators:
        where = min(d.lineno for d in decorators)
    return insert_lines(source, where, [f"{indent}{line}\n" for line in code])


def shifted(lines: list[str], remove: int = 0, add: str = "") -> list[str]:
    """Lines dedented by ``remove`` columns, or indented by ``add``; blank lines stay blank."""
    result = []
    for line in lines:
        if not line.strip():
            result.append(line)
        elif remove:
            cut = min(remove, len(indentation(line)))
            result.append(line[cut:])
        else:
            result.append(add + line)
    return result


def statement_lines(source: Source, statements: list[ast.stmt]) -> tuple[int, int]:
    """The first and last line of a run of statements, decorators included."""
    first = statements[0]
    start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", []))])
    return start, statements[-1].end_lineno or statements[-1].lineno


def module_import_line(source: Source) -> int:
    """Where a new top-level import goes: after the last one, else after the docstring."""
    tree = source.tree
    assert tree is not None
    where = 1
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom) or (index == 0 and has_docstring(tree)):
            where = (node.end_lineno or node.lineno) + 1
        else:
            break
    return where


def imported_modules(source: Source) -> set[str]:
    """Top-level names bound by the file's imports."""
    names: set[str] = set()
    for node in ast.walk(source.tree or ast.Module(body=[], type_ignores=[])):
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def with_import(source: Source, text: str, module: str) -> str:
    """``text`` (an edit of ``source`` below its imports) with ``import module`` added."""
    if module in imported_modules(source):
        return text
    lines = split_lines(text)
    where = module_import_line(source)
    return "".join([*lines[: where - 1], f"import {module}\n", *lines[where - 1 :]])


def replace_span(source: Source, node: ast.AST, new: str) -> str | None:
    """The text with a one-line node's source replaced by ``new`` (columns count UTF-8 bytes)."""
    line = getattr(node, "lineno", None)
    if line is None or getattr(node, "end_lineno", None) != line:
        return None
    raw = source.lines[line - 1].encode("utf-8")
    start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    if end is None:
        return None
    changed = (raw[:start] + new.encode("utf-8") + raw[end:]).decode("utf-8")
    return replace_lines(source, line, line, [changed])
