"""Mutation testing of a rubric: score each change and its defective twins, find blind spots.

Every original and twin is scored by the real engine through its patch path (a temporary
checkout of the base with the patch applied), so the user's tree is never touched. Scoring
goes through a ``Scorer``: today runs share one event loop, a few at a time; a batch scorer
that takes every run at once plugs in at the same place.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import attrs

from rubric_lsp.scoring.engine import ScoreOptions, ScoreResult, run_scoring
from rubric_lsp.scoring.mutations.catalogue import Defect
from rubric_lsp.scoring.mutations.twins import Change, Twin, plant, with_coverage
from rubric_lsp.scoring.proc import ScoringError

# A weighted score this much lower counts as a drop; below it is rounding.
DROP = 1e-6

Scored = ScoreResult | ScoringError


class Scorer(Protocol):
    """Scores many runs; the results come back in the order of the runs."""

    async def score_all(
        self, runs: Sequence[ScoreOptions], finished: Callable[[int], None] | None = None
    ) -> list[Scored]:
        """Each run's result, or the ScoringError that stopped it."""
        ...


@dataclass(frozen=True)
class ConcurrentScorer:
    """Runs ``workers`` scorings at once in one event loop (the tools are subprocesses)."""

    workers: int = 1

    async def score_all(
        self, runs: Sequence[ScoreOptions], finished: Callable[[int], None] | None = None
    ) -> list[Scored]:
        """Each run's result, or the ScoringError that stopped it."""
        slots = asyncio.Semaphore(max(1, self.workers))

        async def one(index: int, options: ScoreOptions) -> Scored:
            async with slots:
                try:
                    result: Scored = await run_scoring(options)
                except ScoringError as error:
                    result = error
            if finished is not None:
                finished(index)
            return result

        return list(await asyncio.gather(*(one(i, o) for i, o in enumerate(runs))))


@dataclass(frozen=True)
class Outcome:
    """One twin against its original: the weighted drop and each criterion's share of it."""

    change: str
    defect: str
    path: str
    original: float | None
    twin: float | None
    # Criterion -> how much its change moved the weighted score (positive: it dropped).
    drops: dict[str, float]
    intended: tuple[str, ...]
    error: str | None = None

    @property
    def drop(self) -> float:
        """How much lower the twin's weighted score is (negative: higher)."""
        if self.original is None or self.twin is None:
            return 0.0
        return self.original - self.twin

    @property
    def caught(self) -> bool:
        """Whether the twin scored lower than the original."""
        return self.error is None and self.drop > DROP

    @property
    def criterion(self) -> str | None:
        """The criterion whose drop moved the weighted score most."""
        name, share = max(self.drops.items(), key=lambda item: item[1], default=(None, 0.0))
        return name if share > DROP else None

    @property
    def landed(self) -> bool:
        """Whether the largest drop is on a criterion bound to the defect's check."""
        return self.caught and self.criterion in self.intended

    def to_json(self) -> dict[str, Any]:
        """The outcome as the JSON report lists it."""
        return {
            "change": self.change,
            "defect": self.defect,
            "path": self.path,
            "original": _round(self.original),
            "twin": _round(self.twin),
            "drop": _round(self.drop),
            "caught": self.caught,
            "criterion": self.criterion,
            "landed": self.landed,
            "drops": {name: _round(share) for name, share in self.drops.items() if share},
            "error": self.error,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def claimed_by(result: ScoreResult, defect: Defect) -> tuple[str, ...]:
    """The criteria a rubric measures with the check that targets ``defect``."""
    return tuple(
        name
        for name, criterion in result.criteria.items()
        if criterion.check == defect.check and criterion.status in ("scored", "error")
    )


def compare(original: ScoreResult, twin: Scored, planted: Twin) -> Outcome:
    """The outcome of one twin, each criterion's drop weighted as the final score weighs it."""
    intended = claimed_by(original, planted.defect)
    label, name = planted.change.label, planted.defect.name
    if isinstance(twin, ScoringError):
        return Outcome(
            label, name, planted.path, original.final_score, None, {}, intended, str(twin)
        )
    scored = {n: c for n, c in original.criteria.items() if c.score is not None}
    total = sum(c.weight for c in scored.values()) or 1.0
    drops: dict[str, float] = {}
    for criterion_name, before in scored.items():
        after = twin.criteria.get(criterion_name)
        if after is not None and after.score is not None and before.score is not None:
            drops[criterion_name] = before.weight * (before.score - after.score) / total
    errors = [
        n for n, c in twin.criteria.items() if c.status == "error" and n in scored and n in intended
    ]
    error = f"{', '.join(errors)}: error on the twin" if errors else None
    return Outcome(
        label, name, planted.path, original.final_score, twin.final_score, drops, intended, error
    )


@dataclass(frozen=True)
class DefectSummary:
    """One defect class over every change it was planted in."""

    defect: Defect
    claimed_by: tuple[str, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def caught(self) -> int:
        """Twins that scored lower than their original."""
        return sum(o.caught for o in self.outcomes)

    @property
    def landed(self) -> int:
        """Twins whose largest drop is on a criterion bound to the defect's check."""
        return sum(o.landed for o in self.outcomes)

    @property
    def missed(self) -> int:
        """Twins that did not score lower."""
        return len(self.outcomes) - self.caught

    @property
    def criteria(self) -> list[tuple[str, int]]:
        """The criteria that took the largest drop, most often first."""
        return Counter(o.criterion for o in self.outcomes if o.criterion).most_common()

    @property
    def mean_drop(self) -> float | None:
        """The mean weighted drop over the twins."""
        drops = [o.drop for o in self.outcomes if o.error is None]
        return sum(drops) / len(drops) if drops else None

    @property
    def blind_spot(self) -> str | None:
        """A sentence when some twin went uncaught, naming how often."""
        if not self.missed:
            return None
        label = self.defect.label
        if not self.caught:
            return f"{label}: not caught by any criterion ({self._count(self.missed)})"
        return f"{label}: not caught in {self.missed} of {len(self.outcomes)} change(s)"

    def _count(self, n: int) -> str:
        return f"{n} change" if n == 1 else f"{n} changes"

    def to_json(self) -> dict[str, Any]:
        """The summary as the JSON report lists it."""
        return {
            "defect": self.defect.name,
            "label": self.defect.label,
            "check": self.defect.check,
            "claimed_by": list(self.claimed_by),
            "planted": len(self.outcomes),
            "caught": self.caught,
            "landed": self.landed,
            "criteria": dict(self.criteria),
            "mean_drop": _round(self.mean_drop),
            "blind_spot": self.blind_spot,
            "outcomes": [o.to_json() for o in self.outcomes],
        }


@dataclass(frozen=True)
class MutationReport:
    """Every defect class's summary, and the changes they were planted in."""

    rubric: str
    changes: tuple[str, ...]
    summaries: tuple[DefectSummary, ...]
    # Changes whose original could not be scored, with the reason.
    unscored: tuple[tuple[str, str], ...] = ()

    @property
    def uncaught_claims(self) -> list[DefectSummary]:
        """Defect classes the rubric claims to measure that some twin got past."""
        return [s for s in self.summaries if s.claimed_by and s.missed]

    @property
    def exit_code(self) -> int:
        """1 when a defect the rubric claims to measure went uncaught, else 0."""
        return 1 if self.uncaught_claims else 0

    def to_json(self) -> dict[str, Any]:
        """The report as `rubric test --format json` prints it."""
        return {
            "rubric": self.rubric,
            "changes": list(self.changes),
            "unscored": [{"change": c, "error": e} for c, e in self.unscored],
            "defects": [s.to_json() for s in self.summaries],
            "blind_spots": [s.blind_spot for s in self.summaries if s.blind_spot],
            "uncaught_claims": [s.defect.name for s in self.uncaught_claims],
            "exit_code": self.exit_code,
        }


def missed_lines(result: ScoreResult) -> dict[str, frozenset[int]] | None:
    """Changed lines the original's tests did not run, per file; None without coverage."""
    measured = [
        c for c in result.criteria.values() if c.check == "coverage" and c.status == "scored"
    ]
    if not measured:
        return None
    missed: dict[str, set[int]] = {}
    for finding in measured[0].findings:
        missed.setdefault(finding.path, set()).add(finding.line)
    return {path: frozenset(lines) for path, lines in missed.items()}


async def run_campaign(
    changes: Sequence[Change],
    defects: Sequence[Defect],
    options: ScoreOptions,
    scorer: Scorer,
    finished: Callable[[int, int], None] | None = None,
) -> MutationReport:
    """Score every change, plant every defect in it, score the twins, and summarise.

    Originals are scored first: their coverage says which added lines the tests run, so a
    defect that must break a test is planted where a test can see it.
    """
    done = 0
    total = len(changes) * (1 + len(defects))  # at most; set once the twins are known

    def one_done(_: int) -> None:
        nonlocal done
        done += 1
        if finished is not None:
            finished(done, total)

    originals = await scorer.score_all(
        [attrs.evolve(options, base=c.base, patch=c.patch) for c in changes], one_done
    )
    twins: list[tuple[Change, ScoreResult, list[Twin]]] = []
    unscored: list[tuple[str, str]] = []
    for change, original in zip(changes, originals, strict=True):
        if isinstance(original, ScoringError):
            unscored.append((change.label, str(original)))
            continue
        missed = missed_lines(original)
        planted_in = change if missed is None else with_coverage(change, missed)
        twins.append((change, original, [t for d in defects if (t := plant(planted_in, d))]))
    total = len(changes) + sum(len(planted) for *_, planted in twins)
    runs = [attrs.evolve(options, base=t.change.base, patch=t.patch) for *_, p in twins for t in p]
    results = iter(await scorer.score_all(runs, one_done))
    by_defect: dict[str, list[Outcome]] = {d.name: [] for d in defects}
    claims: dict[str, tuple[str, ...]] = {d.name: () for d in defects}
    rubric = ""
    for _, original, planted in twins:
        rubric = rubric or original.rubric_origin
        for defect in defects:
            claims[defect.name] = claims[defect.name] or claimed_by(original, defect)
        for twin in planted:
            by_defect[twin.defect.name].append(compare(original, next(results), twin))
    summaries = tuple(DefectSummary(d, claims[d.name], tuple(by_defect[d.name])) for d in defects)
    return MutationReport(rubric, tuple(c.label for c in changes), summaries, tuple(unscored))
