# The formulas keep the docs' minus signs, so a test can find them there as written.
# ruff: noqa: RUF001
"""How each check measures a criterion and what costs points, in the words of docs/scoring.md.

The cost of each check is the "score" column of the table in docs/scoring.md's "Criteria and
checks", copied as written; a test fails when the two drift apart.
"""

from __future__ import annotations

from rubric_lsp.language.catalogue import DECLARED, MANUAL

# The score formula of each check: what the criterion's score is and what lowers it.
COSTS: dict[str, str] = {
    "tests": "passed / run tests (skipped tests excluded), from pytest's junit XML; "
    "a non-pytest command scores 1 or 0 by exit status",
    "coverage": "1 − missed / max(counted, 10) lines: the share from 10 counted lines, "
    "a tenth per missed line below; no counted line: 1.0",
    "pylint": "10 / (10 + 5·errors + warnings + refactors + conventions)",
    "bandit": "max(0, 1 − Σ penalty), penalty HIGH 0.5, MEDIUM 0.25, LOW 0.1, "
    "times confidence HIGH 1, MEDIUM 0.7, LOW 0.4",
    "benchmark": "r = median(new)/median(base) − 1; a real slowdown scores clamp(1 − 2r, 0, 1)",
    "docstrings": "documented / total; none: 1.0",
    "judge": "the judge's points on the scale, with its steps and citations",
    "error_handling": "1 − Σ penalties, at least 0",
    "complexity": "max(0, 1 − Σ over them of (0.1 per point above 10 and above the base's "
    "complexity + 0.05 per point gained above 5 against the base))",
    "naming": "10 / (10 + naming findings)",
}


def summary(check: str | None) -> str:
    """What a check looks at, from the catalogue; a criterion without one is scored by hand."""
    if check is None:
        return MANUAL.summary
    declaration = DECLARED.get(check)
    return declaration.summary if declaration else f"the check '{check}'"


def cost(check: str | None) -> str:
    """The check's score formula, or empty when it has none (scored by hand)."""
    return COSTS.get(check, "") if check else ""


def executes_code(check: str | None) -> bool:
    """Whether the check runs the workspace's code, so only a trusted run measures it."""
    declaration = DECLARED.get(check) if check else None
    return bool(declaration and declaration.executes_code)
