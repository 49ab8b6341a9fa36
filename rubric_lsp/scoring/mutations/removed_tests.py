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
    try:
        tree = ast.parse("".join(kept))
    except SyntaxError:  # a test class left with no body
        return None
    # Whoever deletes tests deletes the imports only they used, as a linter would insist.
    return "".join(_without_unused_imports(kept, tree))


def _without_unused_imports(lines: list[str], tree: ast.Module) -> list[str]:
    """Top-level imports of names nothing uses any more, removed or narrowed."""
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    lines = list(lines)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    for node in reversed(imports):  # bottom up, so earlier line numbers stay valid
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        names = [a for a in node.names if (a.asname or a.name).split(".")[0] in used]
        if len(names) == len(node.names) or any(a.name == "*" for a in node.names):
            continue
        first, last = node.lineno, node.end_lineno or node.lineno
        narrowed = []
        if names:
            node.names = names
            narrowed = [ast.unparse(node) + "\n"]
        lines[first - 1 : last] = narrowed
    return lines
