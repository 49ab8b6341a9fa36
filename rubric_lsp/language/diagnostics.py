"""The diagnostic codes validation emits, and the collector that gives each its severity."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from rubric_lsp.language.model import Diagnostic, Range, Severity

# Every code validation can emit, with its severity; docs/language.md lists them.
CODES: dict[str, Severity] = {
    "syntax-error": Severity.ERROR,
    "unterminated-string": Severity.ERROR,
    "file-too-large": Severity.ERROR,
    "too-many-errors": Severity.ERROR,
    "missing-rubric": Severity.ERROR,
    "empty-rubric": Severity.ERROR,
    "unknown-block": Severity.ERROR,
    "unknown-field": Severity.ERROR,
    "unknown-attribute": Severity.ERROR,
    "unknown-rule": Severity.ERROR,
    "unknown-verb": Severity.ERROR,
    "unknown-check": Severity.ERROR,
    "duplicate-block": Severity.ERROR,
    "duplicate-criterion": Severity.ERROR,
    "duplicate-field": Severity.ERROR,
    "invalid-weight": Severity.ERROR,
    "invalid-scale": Severity.ERROR,
    "invalid-value": Severity.ERROR,
    "invalid-arguments": Severity.ERROR,
    "undefined-criterion": Severity.ERROR,
    "score-out-of-scale": Severity.ERROR,
    "unreachable-total": Severity.ERROR,
    "threshold-out-of-range": Severity.ERROR,
    "invalid-range": Severity.ERROR,
    "unscored-criterion": Severity.WARNING,
    "dominant-weight": Severity.WARNING,
    "too-many-criteria": Severity.WARNING,
    "revise-at-maximum": Severity.WARNING,
    "duplicate-score": Severity.WARNING,
}


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, if any is close enough."""
    options = [c for c in candidates if c != word]
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # Swapped letters ("tset") score low on difflib's ratio but are common typos.
    limit = 1 if len(word) <= 3 else max(2, len(word) // 3)
    scored = sorted((_edit_distance(word, c), c) for c in options)
    return scored[0][1] if scored and scored[0][0] <= limit else None


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: edits, with a swap of neighbours as one."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(suggestion: str | None, known: Sequence[str]) -> str:
    """``; did you mean 'x'?`` or, with no close name, the list of known ones."""
    if suggestion:
        return f"; did you mean '{suggestion}'?"
    return "; expected one of " + ", ".join(known)


class Collector:
    """Accumulates diagnostics with their default severity."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, rng: Range, code: str, message: str, suggestion: str | None = None) -> None:
        """Record one diagnostic, unless it is about a placeholder for a missing value."""
        if rng.start == rng.end and code != "missing-rubric":
            return  # about a placeholder for a value the parser found missing
        self.items.append(Diagnostic(rng, CODES[code], code, message, suggestion))

    def unknown(
        self, rng: Range, code: str, what: str, word: str, known: Sequence[str], where: str = ""
    ) -> None:
        """``unknown WHAT 'word'WHERE; did you mean ...?``, with the suggestion for quick fixes."""
        hint = suggest(word, known)
        message = f"unknown {what} '{word}'{where}{did_you_mean(hint, known)}"
        self.add(rng, code, message, hint)
