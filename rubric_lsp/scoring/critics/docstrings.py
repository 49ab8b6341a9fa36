"""Added or changed public functions, classes and modules without a docstring."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import (
    ast_work,
    changed_sources,
    definitions,
    is_overload,
    is_test_file,
    parse,
)

DefinitionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Documented:
    """A public definition the change added or changed, and whether it has a docstring."""

    path: str
    line: int
    kind: str
    name: str
    documented: bool


def _is_magic(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _documented_names(base: str | None) -> set[str]:
    """The qualified names of the base version's definitions that have a docstring."""
    return {
        d.qualname
        for d in definitions(parse(base) if base is not None else None)
        if ast.get_docstring(d.node, clean=False) is not None
    }


def _interface_touched(node: DefinitionNode, first: int, changed: ChangedFile) -> bool:
    """Whether the change touched a definition's header or docstring, or removed its docstring.

    Only those are what the docs criterion measures: a body edit (a removed handler, a new
    call) says nothing about documentation, and counting it would let edits to documented
    definitions raise the share of documented ones. A changed method counts alone.
    """
    opening = node.body[0]
    header_end = max(node.lineno, opening.lineno - 1)
    if any(first <= line <= header_end for line in changed.changed):
        return True
    if ast.get_docstring(node, clean=False) is not None:
        end = opening.end_lineno or opening.lineno
        return any(opening.lineno <= line <= end for line in changed.changed)
    # A docstring deleted leaves its deletion marked on the line after it, the first statement.
    return opening.lineno in changed.touched


def public_items(changed: ChangedFile, text: str, base: str | None = None) -> list[Documented]:
    """Public module, classes and functions of one file that the change touched."""
    tree = parse(text)
    had_docstring = _documented_names(base)
    if tree is None:
        return []
    module_name = changed.path.rsplit("/", 1)[-1].removesuffix(".py")
    items: list[Documented] = []
    if changed.wholly_added and not module_name.startswith("_") and text.strip():
        items.append(
            Documented(changed.path, 1, "module", module_name, ast.get_docstring(tree) is not None)
        )
    for definition in definitions(tree):
        node = definition.node
        # Overload stubs are typing declarations: the implementation carries the docstring.
        if not definition.public or _is_magic(node.name) or is_overload(node):
            continue
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        removed = definition.qualname in had_docstring and ast.get_docstring(node) is None
        if (
            changed.wholly_added
            or removed
            or _interface_touched(node, definition.first_line, changed)
        ):
            items.append(
                Documented(
                    changed.path,
                    node.lineno,
                    kind,
                    definition.qualname,
                    ast.get_docstring(node) is not None,
                )
            )
    return items


async def collect(context: Context) -> list[Documented]:
    """Every touched public item in the changed non-test Python files, parsed off the loop."""
    items: list[Documented] = []
    async for changed, text, base in changed_sources(context):
        if not is_test_file(changed.path):
            items += await ast_work(public_items, changed, text, base)
    return items


class DocstringsCritic(DeclaredCritic, check="docstrings"):
    """Share of added or changed public definitions that carry a docstring."""

    default_timeout = 60.0
    codes = ("missing-docstring",)

    async def run(self, context: Context) -> CriticResult:
        """Parse the changed files off the event loop and count docstrings."""
        items = await collect(context)
        if not items:
            return CriticResult(
                1.0,
                summary="no public definition added or changed",
                reasons=("No public module, class or function was added or changed.",),
            )
        missing = [item for item in items if not item.documented]
        score = (len(items) - len(missing)) / len(items)
        findings = tuple(
            Finding(
                item.path,
                item.line,
                0,
                "missing-docstring",
                f"public {item.kind} '{item.name}' has no docstring",
                "warning",
                penalty=1.0 / len(items),
            )
            for item in missing
        )
        reasons = [
            f"{len(items)} public definition(s) added or changed; "
            f"{len(items) - len(missing)} documented."
        ]
        reasons += [f"{f.path}:{f.line}: {f.message}" for f in findings[:5]]
        summary = (
            f"{len(missing)} of {len(items)} public definition(s) lack a docstring"
            if missing
            else f"all {len(items)} public definition(s) documented"
        )
        return CriticResult(score, summary=summary, reasons=tuple(reasons), findings=findings)
