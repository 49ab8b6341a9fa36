"""What every report format shares: the verdict, table cells, plain text from the change."""

from __future__ import annotations

import re

from rubric_lsp.scoring.engine import CriterionScore, ScoreResult

# Control characters (terminal escape sequences among them) never reach a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def verdict(result: ScoreResult) -> str:
    """accepted, rejected, undecided (with the rules left open) or no accept_if; review flag."""
    return result.evaluation.verdict_text(" (needs review by a person)")


def cell(value: float | None, digits: str = ".2f") -> str:
    """A score or points in a report's table; - when there is none."""
    return "-" if value is None else format(value, digits)


def comment(criterion: CriterionScore) -> str:
    """A criterion's comment in a report's table, with its status when not scored."""
    if criterion.status in ("scored", "unscored") and criterion.comment:
        return criterion.comment
    if criterion.status == "unscored":
        return "unscored"
    return f"{criterion.status}: {criterion.comment}"


def plain(text: str) -> str:
    """Text from the change without control characters (no terminal escape sequences)."""
    return _CONTROL.sub("\ufffd", text)


def line_ranges(lines: list[int]) -> list[tuple[int, int]]:
    """Sorted line numbers as runs of consecutive lines: [6, 7, 8, 12] → [(6, 8), (12, 12)]."""
    runs: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def describe_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """Line ranges as people read them: 'lines 6-8, 12'."""
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in ranges]
    return ("line " if len(ranges) == 1 and ranges[0][0] == ranges[0][1] else "lines ") + ", ".join(
        parts
    )
