"""Rubric DSL blocks an agent appends to its rubric: measured points and a critique."""

from __future__ import annotations

from rubric_lsp.language.model import quote
from rubric_lsp.scoring.engine import ScoreResult


def _one_line(text: str) -> str:
    """Strings in the DSL cannot span lines."""
    return " ".join(text.split())


def score_block(result: ScoreResult) -> str:
    """A ``score`` block of the measured points."""
    lines = ["score {"]
    for c in result.criteria.values():
        if c.source == "measured" and c.points is not None:
            lines.append(f"  {c.name} {round(c.points, 1):g} {quote(_one_line(c.comment))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def critique_block(result: ScoreResult) -> str | None:
    """A ``critique`` block revising the criteria below the threshold; None when none are."""
    if not result.weak:
        return None
    lines = ["critique {"]
    for c in result.weak:
        advice = c.comment
        if c.findings:
            first = c.findings[0]
            where = f"{first.path}:{first.line}"
            if first.message in c.comment:
                advice = f"{c.comment} (first at {where})"
            else:
                advice = f"{c.comment}; first: {where} {first.message}"
        lines.append(f"  revise {c.name} {quote(_one_line(advice))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_rubric(result: ScoreResult) -> str:
    """A ``score`` block of the measured points and a ``critique`` for the weakest criteria."""
    critique = critique_block(result)
    return score_block(result) + ("\n" + critique if critique else "")
