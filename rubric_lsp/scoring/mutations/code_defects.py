"""Defects in a change's code: each a pure function from a file to its defective twin.

Each transformation edits the first function the change touched that it applies to (then any
other function of the file) and returns None when the file offers it nothing to work on.
"""

from __future__ import annotations

import ast
import keyword

from rubric_lsp.scoring.mutations.source import (
    Source,
    base_functions,
    body_indent,
    body_statements,
    functions,
    has_docstring,
    imported_modules,
    indentation,
    insert_at_body_start,
    insert_lines,
    module_import_line,
    on_own_lines,
    own,
    qualified_names,
    replace_lines,
    replace_span,
    shifted,
    statement_lines,
    with_import,
)
from rubric_lsp.scoring.pysource import definitions


def shell_command(source: Source) -> str | None:
    """A command run through the shell, built from a runtime value (bandit B602: security)."""
    for function in functions(source):
        # `true` does nothing, so the twin's tests behave as the original's do.
        code = ['subprocess.run("true " + __name__, shell=True, check=False)']
        text = insert_at_body_start(source, function, code)
        if text is not None:
            return with_import(source, text, "subprocess")
    return None


def eval_call(source: Source) -> str | None:
    """An ``eval`` of a string (bandit B307, pylint eval-used: security)."""
    for function in functions(source):
        text = insert_at_body_start(source, function, ['eval("None")'])
        if text is not None:
            return text
    return None


def removed_handler(source: Source) -> str | None:
    """A ``try`` unwrapped: its handlers are gone, its body runs bare (error_handling).

    Handlers the base already had come first: removing one is what the defect is; a handler
    of a function the change adds is only missing, not removed, against the base.
    """
    base = base_functions(source)
    names = qualified_names(source)

    def in_base(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        old = base.get(names.get(id(function), ""))
        return old is not None and any(True for _ in own(old, ast.ExceptHandler))

    for function in sorted(functions(source), key=lambda f: not in_base(f)):
        for node in own(function, ast.Try):
            assert isinstance(node, ast.Try)
            if not node.handlers or node.body[0].lineno == node.lineno:
                continue
            depth = node.body[0].col_offset - node.col_offset
            kept: list[str] = []
            for block in (node.body, node.orelse, node.finalbody):
                if block:
                    first, last = statement_lines(source, block)
                    kept += shifted(source.lines[first - 1 : last], remove=depth)
            return replace_lines(source, node.lineno, node.end_lineno or node.lineno, kept)
    return None


def _swallows(handler: ast.ExceptHandler) -> bool:
    return all(isinstance(s, ast.Pass | ast.Continue) for s in handler.body)


def swallowed_exception(source: Source) -> str | None:
    """An exception caught and dropped: a handler's body becomes ``pass`` (error_handling).

    A function without a handler gets its body wrapped in ``try``/``except Exception: pass``.
    """
    candidates = functions(source)
    for function in candidates:
        for node in own(function, ast.ExceptHandler):
            assert isinstance(node, ast.ExceptHandler)
            if _swallows(node) or node.body[0].lineno == node.lineno:
                continue
            first, last = statement_lines(source, node.body)
            pad = indentation(source.lines[first - 1])
            return replace_lines(source, first, last, [f"{pad}pass\n"])
    for function in candidates:
        rest = body_statements(function)
        if not rest or not on_own_lines(function) or rest[0].lineno == function.lineno:
            continue
        first, last = statement_lines(source, rest)
        indent = body_indent(source, function)
        wrapped = [
            f"{indent}try:\n",
            *shifted(source.lines[first - 1 : last], add="    "),
            f"{indent}except Exception:\n",
            f"{indent}    pass\n",
        ]
        return replace_lines(source, first, last, wrapped)
    return None


def stripped_docstring(source: Source) -> str | None:
    """A public function's or class's docstring removed (docs)."""
    tree = source.tree
    if tree is None:
        return None
    # Public as the docstrings check counts them: not nested in a function, no underscore.
    defined = [
        d.node
        for d in definitions(tree)
        if d.public and has_docstring(d.node) and d.node.body[0].lineno > d.node.lineno
    ]
    defined.sort(key=lambda node: (not source.touches(node), node.lineno))
    for node in defined:
        docstring = node.body[0]
        last = docstring.end_lineno or docstring.lineno
        if len(node.body) > 1 and node.body[1].lineno == last:
            continue  # `"""doc"""; x = 1`
        replacement = [] if len(node.body) > 1 else [f"{body_indent(source, node)}pass\n"]
        return replace_lines(source, docstring.lineno, last, replacement)
    return None


# Letters that say nothing; the conventional ones (i, j, k, x, y, e, _) are left out.
_LETTERS = "abcdfghmnpqrstuvwz"


def _locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Names a function assigns, in order, except its parameters, globals and nonlocals."""
    declared: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
    arguments = function.args
    parameters = {
        a.arg
        for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        + [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    }
    in_fstrings = {
        name.id
        for joined in ast.walk(function)
        if isinstance(joined, ast.JoinedStr)
        for name in ast.walk(joined)
        if isinstance(name, ast.Name)
    }
    found: list[str] = []
    for node in sorted(
        (n for n in ast.walk(function) if isinstance(n, ast.Name)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        name = node.id
        if (
            isinstance(node.ctx, ast.Store)
            and len(name) > 1
            and name not in parameters | declared | in_fstrings
            and name not in found
        ):
            found.append(name)
    return found


def short_names(source: Source) -> str | None:
    """A function's local variables renamed to single letters (naming)."""
    for function in functions(source):
        names = _locals(function)
        if not names:
            continue
        used = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
        used |= {a.arg for a in ast.walk(function) if isinstance(a, ast.arg)}
        used |= {n.attr for n in ast.walk(function) if isinstance(n, ast.Attribute)}
        letters = [c for c in _LETTERS if c not in used and not keyword.iskeyword(c)]
        renames = dict(zip(names, letters, strict=False))
        if not renames:
            continue
        by_line: dict[int, list[ast.Name]] = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Name) and node.id in renames:
                by_line.setdefault(node.lineno, []).append(node)
        lines = list(source.lines)
        for number, nodes in by_line.items():
            raw = lines[number - 1].encode("utf-8")
            # Right to left, so earlier columns stay valid.
            for node in sorted(nodes, key=lambda n: n.col_offset, reverse=True):
                end = node.end_col_offset or node.col_offset + len(node.id)
                raw = raw[: node.col_offset] + renames[node.id].encode() + raw[end:]
            lines[number - 1] = raw.decode("utf-8")
        return "".join(lines)
    return None


def nested_branch(source: Source) -> str | None:
    """Five nested ``if``s of two conditions each, ten decision points (readability)."""
    code = []
    for depth in range(5):
        code.append("    " * depth + f"if __name__ and len(__name__) > {depth}:")
    code.append("    " * 5 + "pass")
    for function in functions(source):
        text = insert_at_body_start(source, function, code)
        if text is not None:
            return text
    return None


# Standard-library modules a change would never need: their import is plainly unused.
_UNUSED = ("colorsys", "sndhdr", "fractions", "calendar", "textwrap")


def unused_import(source: Source) -> str | None:
    """An import nothing uses, among the module's imports (pylint unused-import: style).

    Not in a package's ``__init__.py``: an import there is a re-export by convention, which
    pylint does not report (its ``init-import`` is off), so the twin would carry no defect.
    """
    if source.tree is None or source.path.rsplit("/", 1)[-1] == "__init__.py":
        return None
    present = imported_modules(source)
    module = next((m for m in _UNUSED if m not in present), None)
    if module is None:
        return None
    return insert_lines(source, module_import_line(source), [f"import {module}\n"])


_FLIPPED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}


def flipped_comparison(source: Source) -> str | None:
    """A comparison negated (``<`` to ``>=``), which the change's tests should catch.

    When the original's coverage is known, only a comparison on an added line its tests ran
    is flipped: one no test runs cannot break a test, so its twin would not be this defect.
    """
    compares = [
        node
        for function in functions(source)
        for node in own(function, ast.Compare)
        if isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and node.lineno == node.end_lineno
        and (source.covered is None or node.lineno in source.covered)
    ]
    # Comparisons on the change's own lines first: its tests are the likeliest to reach them.
    compares.sort(key=lambda node: node.lineno not in source.added)
    for node in compares:
        flipped = ast.Compare(node.left, [_FLIPPED[type(node.ops[0])]()], node.comparators)
        text = replace_span(source, node, ast.unparse(flipped))
        if text is not None:
            return text
    return None
