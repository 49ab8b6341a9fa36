"""Cyclomatic complexity (radon) of changed functions, and increases against the base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from radon.complexity import cc_visit

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import ast_work, changed_sources, is_test_file

# Above this a function is hard to test and review (radon's rank C starts at 11).
LIMIT = 10
# Increases count once a function is past radon's rank A (1-5): adding one branch to a tiny
# function is not a readability problem.
INCREASE_FLOOR = 5
OVER_LIMIT_PENALTY = 0.1
INCREASE_PENALTY = 0.05


@dataclass(frozen=True)
class Block:
    """One function or method radon measured."""

    name: str
    line: int
    end_line: int
    column: int
    complexity: int


def blocks(text: str) -> list[Block]:
    """Functions and methods with their complexity; nothing for unparsable code."""
    try:
        visited: list[Any] = cc_visit(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Block] = []

    def add(item: Any, prefix: str) -> None:
        if hasattr(item, "methods"):  # a class: its methods count, the class does not
            for inner in [*item.methods, *getattr(item, "inner_classes", [])]:
                add(inner, f"{prefix}{item.name}.")
            return
        found.append(
            Block(
                f"{prefix}{item.name}", item.lineno, item.endline, item.col_offset, item.complexity
            )
        )
        for inner in getattr(item, "closures", []):
            add(inner, f"{prefix}{item.name}.")

    for item in visited:
        # radon lists each method twice, in its class and on its own by bare name: once counts.
        if not getattr(item, "is_method", False):
            add(item, "")
    return found


def penalty(new: int, old: int | None) -> float:
    """One function's cost: 0.1 per point above 10 and its base, 0.05 per point gained above 5.

    A new function (``old`` None) only pays for being above 10. A function already above 10
    pays only for the points the change added: touching it (a one-line fix) must not cost
    what the base already owed, or a reward would steer away from fixing complex code.
    """
    over = max(0, new - max(LIMIT, old or 0)) * OVER_LIMIT_PENALTY
    gained = 0 if old is None else max(0, new - max(old, INCREASE_FLOOR)) * INCREASE_PENALTY
    return over + gained


def file_scores(
    changed: ChangedFile, text: str, base: str | None
) -> list[tuple[Block, int | None, float]]:
    """Each changed function with its base complexity and its penalty, by qualified name.

    Test files are left out: their functions are the ``tests`` criterion's business.
    """
    if is_test_file(changed.path):
        return []
    old = {b.name: b.complexity for b in blocks(base)} if base is not None else {}
    touched = changed.changed
    out: list[tuple[Block, int | None, float]] = []
    for block in blocks(text):
        if changed.wholly_added or any(block.line <= n <= block.end_line for n in touched):
            before = old.get(block.name)
            out.append((block, before, penalty(block.complexity, before)))
    return out


class ComplexityCritic(DeclaredCritic, check="complexity"):
    """1 - the sum of the changed functions' complexity penalties: padding cannot dilute it."""

    default_timeout = 60.0
    codes = ("complexity",)

    async def run(self, context: Context) -> CriticResult:
        """Measure changed functions on both sides with radon."""
        measured: list[tuple[str, Block, int | None, float]] = []
        async for changed, text, base in changed_sources(context):
            for block, before, cost in await ast_work(file_scores, changed, text, base):
                measured.append((changed.path, block, before, cost))
        if not measured:
            return CriticResult(
                1.0, summary="no function changed", reasons=("No function or method was changed.",)
            )
        # A sum, not a mean: adding simple functions must not raise the score.
        score = max(0.0, 1.0 - sum(cost for *_, cost in measured))
        costly = [m for m in measured if m[3] > 0]
        findings = tuple(
            Finding(
                path,
                block.line,
                block.column,
                "complexity",
                f"{block.name} has cyclomatic complexity {block.complexity}"
                + (f" (was {before})" if before is not None else " (new)"),
                "warning" if block.complexity > LIMIT else "info",
                penalty=min(1.0, cost),
            )
            for path, block, before, cost in costly
        )
        highest = max(measured, key=lambda m: m[1].complexity)
        reasons = [
            f"Measured {len(measured)} changed non-test function(s) with radon; highest complexity "
            f"{highest[1].complexity} ({highest[1].name})."
        ]
        if findings:
            reasons += [f"{f.path}:{f.line}: {f.message}" for f in findings[:5]]
            reasons.append(
                f"Each function above {LIMIT} and each increase above {INCREASE_FLOOR} costs "
                "points, summed over the changed functions."
            )
            summary = f"{len(findings)} changed function(s) above {LIMIT} or grown more complex"
        else:
            reasons.append(f"No changed function above {LIMIT} or grown past {INCREASE_FLOOR}.")
            summary = f"changed functions simple (max {highest[1].complexity})"
        return CriticResult(score, summary=summary, reasons=tuple(reasons), findings=findings)
