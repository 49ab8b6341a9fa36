"""Error handling the change removed or weakened, compared function by function by AST."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import (
    FunctionNode,
    ast_work,
    changed_sources,
    definitions,
    functions,
    is_overload,
    own_nodes,
    parse,
)

# What each kind of weakening costs the score.
PENALTY = {
    "handler-removed": 0.25,
    "raise-removed": 0.25,
    "bare-except": 0.25,
    "swallowed-error": 0.25,
    # Catching Exception (or BaseException) hides errors the code did not expect; it is
    # lighter than swallowing, which a broad `except Exception: pass` is as well.
    "broad-except": 0.1,
}

# The names of a broad handler's type, bare or as ``builtins.X``.
BROAD = frozenset({"Exception", "BaseException"})


@dataclass(frozen=True)
class Counts:
    """Error-handling constructs inside one function."""

    handlers: int
    raises: int
    bare: int
    swallowed: int
    broad: int = 0


def _swallows(handler: ast.ExceptHandler) -> bool:
    """A handler that only passes or continues: the error vanishes without a trace.

    Returning a value (a cache miss, a default) is a decision, not swallowing.
    """
    for statement in handler.body:
        if isinstance(statement, ast.Pass | ast.Continue):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a string or `...`
        return False
    return True


def _broad(handler: ast.ExceptHandler) -> bool:
    """A handler for Exception or BaseException, alone or in a tuple (bare ones count apart)."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in kinds:
        name = kind.attr if isinstance(kind, ast.Attribute) else getattr(kind, "id", None)
        if name in BROAD:
            return True
    return False


def count(function: FunctionNode) -> Counts:
    """Count handlers, raises and weak handlers, not descending into nested definitions."""
    handlers = raises = bare = swallowed = broad = 0
    for node in own_nodes(function):
        if isinstance(node, ast.ExceptHandler):
            handlers += 1
            if node.type is None:
                bare += 1
            elif _broad(node):
                broad += 1
            if _swallows(node):
                swallowed += 1
        elif isinstance(node, ast.Raise):
            raises += 1
    return Counts(handlers, raises, bare, swallowed, broad)


def compare(new: Counts, old: Counts | None) -> dict[str, int]:
    """How many of each weakening a function shows against its base version."""
    old = old or Counts(0, 0, 0, 0, 0)
    return {
        "handler-removed": max(0, old.handlers - new.handlers),
        "raise-removed": max(0, old.raises - new.raises),
        "bare-except": max(0, new.bare - old.bare),
        "swallowed-error": max(0, new.swallowed - old.swallowed),
        "broad-except": max(0, new.broad - old.broad),
    }


_WORDS = {
    "handler-removed": "exception handler(s) removed",
    "raise-removed": "raise statement(s) removed",
    "bare-except": "bare 'except:' added",
    "swallowed-error": "handler(s) added that swallow the error",
    "broad-except": "handler(s) for Exception added",
}


def file_findings(changed: ChangedFile, text: str, base: str | None) -> tuple[int, list[Finding]]:
    """The changed functions of one file, and the weakenings found in them."""
    tree = parse(text)
    base_functions = functions(parse(base)) if base is not None else {}
    checked = 0
    findings: list[Finding] = []
    for definition in definitions(tree):
        node = definition.node
        # An overload stub declares a type; the implementation is compared with the base.
        if isinstance(node, ast.ClassDef) or is_overload(node):
            continue
        if not changed.wholly_added and not definition.touches(changed.changed):
            continue
        checked += 1
        old = base_functions.get(definition.qualname)
        diff = compare(count(node), count(old) if old is not None else None)
        for code, times in diff.items():
            if times:
                findings.append(
                    Finding(
                        changed.path,
                        node.lineno,
                        node.col_offset,
                        code,
                        f"{definition.qualname}: {times} {_WORDS[code]}",
                        "warning",
                        penalty=PENALTY[code] * times,
                    )
                )
    return checked, findings


class ErrorHandlingCritic(DeclaredCritic, check="error_handling"):
    """Catches a patch that removes error handling but still passes the tests."""

    default_timeout = 60.0
    codes = tuple(PENALTY)

    async def run(self, context: Context) -> CriticResult:
        """Compare every changed function with its base version."""
        checked = 0
        findings: list[Finding] = []
        async for changed, text, base in changed_sources(context):
            n, found = await ast_work(file_findings, changed, text, base)
            checked += n
            findings += found
        score = max(0.0, 1.0 - sum(f.penalty for f in findings))
        reasons = [f"Compared {checked} changed function(s) with their base versions by AST."]
        if findings:
            reasons += [f"{f.path}:{f.line}: {f.message}" for f in findings[:5]]
            summary = "; ".join(f.message for f in findings[:2])
        else:
            reasons.append("No exception handler or raise removed, no error swallowed.")
            summary = "error handling kept"
        return CriticResult(
            score, summary=summary, reasons=tuple(reasons), findings=tuple(findings)
        )
