"""The diagnostic codes validation emits, and the collector that gives each its severity."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence

from rapidfuzz.distance import OSA

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
    "judge-without-endpoint": Severity.WARNING,
}


# A name is compared with at most this many known names, the nearest in length first,
# and a document gets at most MAX_SUGGESTED suggestions: one with thousands of names and
# thousands of typos stays linear to check. Real rubrics stay far below both.
MAX_COMPARED = 48
MAX_SUGGESTED = 200
# A list of known names in a message stops after this many.
MAX_LISTED = 12


class _Names:
    """Known names grouped by length, for finding the ones a typo could be close to."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_length: dict[int, list[str]] = {}
        for name in sorted(set(names)):
            self.by_length.setdefault(len(name), []).append(name)

    def near(self, word: str) -> list[str]:
        """Names whose length lets them be close to ``word``, nearest lengths first."""
        size = len(word)
        # difflib's ratio reaches 0.6 only when the lengths are within 2.4 times of each
        # other; the edit distance is at least the difference of the lengths.
        low, high = int(size * 0.42), int(size * 2.4) + 3
        found: list[str] = []
        for step in range(max(size - low, high - size) + 1):
            for length in {size - step, size + step}:
                if low <= length <= high:
                    found.extend(self.by_length.get(length, ()))
            if len(found) >= MAX_COMPARED:
                return found[:MAX_COMPARED]
        return found


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, if any is close enough."""
    return _closest(word, _Names(candidates))


def _closest(word: str, names: _Names) -> str | None:
    options = [c for c in names.near(word) if c != word]
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # Swapped letters ("tset") score low on difflib's ratio but are common typos.
    limit = 1 if len(word) <= 3 else max(2, len(word) // 3)
    # Optimal string alignment distance: edits, with a swap of neighbours as one.
    scored = sorted(
        (OSA.distance(word, c, score_cutoff=limit + 1), c)
        for c in options
        if abs(len(c) - len(word)) <= limit
    )
    return scored[0][1] if scored and scored[0][0] <= limit else None


def did_you_mean(suggestion: str | None, known: Sequence[str]) -> str:
    """``; did you mean 'x'?`` or, with no close name, the list of known ones."""
    if suggestion:
        return f"; did you mean '{suggestion}'?"
    listed = ", ".join(known[:MAX_LISTED])
    if len(known) > MAX_LISTED:
        listed += f" and {len(known) - MAX_LISTED} more"
    return "; expected one of " + listed


class Collector:
    """Accumulates diagnostics with their default severity."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        # Known names and suggestions, reused across the entries of one document.
        self._names: dict[int, tuple[Collection[str], _Names, list[str]]] = {}
        self._suggestions: dict[tuple[int, str], str | None] = {}

    def _known(self, candidates: Collection[str]) -> tuple[_Names, list[str]]:
        # Keyed by identity: one validation passes the same collection for every entry,
        # and keeping it in the value keeps its id from being reused meanwhile.
        entry = self._names.get(id(candidates))
        if entry is None:
            names = _Names(candidates)
            ordered = [name for group in sorted(names.by_length.items()) for name in group[1]]
            entry = self._names[id(candidates)] = (candidates, names, sorted(ordered))
        return entry[1], entry[2]

    def suggest(self, word: str, candidates: Collection[str]) -> str | None:
        """``suggest`` remembering its answers for this document."""
        key = (id(candidates), word)
        if key not in self._suggestions:
            if len(self._suggestions) >= MAX_SUGGESTED:
                return None
            self._suggestions[key] = _closest(word, self._known(candidates)[0])
        return self._suggestions[key]

    def sorted_names(self, candidates: Collection[str]) -> list[str]:
        """The candidates in alphabetical order, sorted once per document."""
        return self._known(candidates)[1]

    def add(self, rng: Range, code: str, message: str, suggestion: str | None = None) -> None:
        """Record one diagnostic, unless it is about a placeholder for a missing value."""
        if rng.start == rng.end and code != "missing-rubric":
            return  # about a placeholder for a value the parser found missing
        self.items.append(Diagnostic(rng, CODES[code], code, message, suggestion))

    def unknown(
        self, rng: Range, code: str, what: str, word: str, known: Sequence[str], where: str = ""
    ) -> None:
        """``unknown WHAT 'word'WHERE; did you mean ...?``, with the suggestion for quick fixes."""
        hint = self.suggest(word, known)
        message = f"unknown {what} '{word}'{where}{did_you_mean(hint, known)}"
        self.add(rng, code, message, hint)
