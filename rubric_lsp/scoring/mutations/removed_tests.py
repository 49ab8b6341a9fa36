"""Deleted tests: the change's own test functions removed from its test file."""

from __future__ import annotations

import ast

from rubric_lsp.scoring.mutations.source import Source, statement_lines


def _tests(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level test functions and test methods of ``Test`` classes."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found += [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    return [f for f in found if f.name.startswith("test")]


def deleted_tests(source: Source) -> str | None:
    """The test functions the change added or edited, deleted (tests: coverage drops)."""
    if source.tree is None:
        return None
    doomed = [test for test in _tests(source.tree) if source.touches(test)]
    if not doomed:
        return None
    lines = list(source.lines)
    drop: set[int] = set()
    for test in doomed:
        first, last = statement_lines(source, [test])
        # The blank lines before it go too, so the spacing between what is left stays.
        while first > 1 and not lines[first - 2].strip():
            first -= 1
        drop.update(range(first, last + 1))
    kept = [line for number, line in enumerate(lines, 1) if number not in drop]
    text = "".join(kept)
    try:
        ast.parse(text)
    except SyntaxError:  # a test class left with no body
        return None
    return text
