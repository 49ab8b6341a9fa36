"""What a scoring run returns: each criterion's score and reasons, the evaluation, the verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rubric_lsp.language.evaluate import Evaluation, Status
from rubric_lsp.language.model import Document
from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.interpreter import ProjectPython, own_python

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Progress:
    """One check finished: sent to the progress callback."""

    check: str
    criteria: tuple[str, ...]
    status: Status
    score: float | None
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's outcome with its reasoning steps and findings."""

    name: str
    score: float | None
    points: float | None
    weight: float
    check: str | None
    status: Status
    comment: str
    steps: tuple[str, ...]
    findings: tuple[Finding, ...]
    # "measured" by a critic, "hand" from score/rescore, or "none".
    source: str
    # The critic's raw measurements (test counts, benchmark samples), for tools.
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of one criterion (see docs/scoring.md)."""
        return {
            "score": _round(self.score),
            "points": _round(self.points),
            "weight": self.weight,
            "check": self.check,
            "status": self.status,
            "source": self.source,
            "comment": self.comment,
            "steps": list(self.steps),
            "findings": [finding.to_json() for finding in self.findings],
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class ScoreResult:
    """Everything one scoring run decided, for every output format and the language server."""

    rubric: str
    rubric_origin: str
    base: str | None
    base_ref: str
    changed_files: tuple[str, ...]
    criteria: dict[str, CriterionScore]
    evaluation: Evaluation
    heal_threshold: float
    trusted: bool
    seconds: float
    document: Document = field(repr=False, compare=False)
    # Files of the working tree that the tests or the benchmark changed (trusted runs).
    tree_changed_by_tests: tuple[str, ...] = ()
    # The project's interpreter the run used (tests, coverage, pylint's search path).
    python: ProjectPython = field(default_factory=own_python)
    # What judging cost: requests, tokens, seconds, whether the cache answered (judged runs).
    judge: dict[str, Any] | None = None
    # The review queue's id for this result, when review_if flagged it and it was queued.
    review_id: str | None = None

    @property
    def subscores(self) -> dict[str, float]:
        """Scores of the scored criteria."""
        return {n: c.score for n, c in self.criteria.items() if c.score is not None}

    @property
    def final_score(self) -> float | None:
        """The weighted score in [0, 1] over scored criteria."""
        return self.evaluation.final_score

    @property
    def accepted(self) -> bool | None:
        """The accept_if verdict, None when the rubric has none."""
        return self.evaluation.accepted

    @property
    def review(self) -> bool:
        """Whether a review_if rule flags the result for a person."""
        return self.evaluation.review

    @property
    def failed_rules(self) -> list[str]:
        """accept_if rules that did not hold."""
        return self.evaluation.failed_rules

    @property
    def weak(self) -> list[CriterionScore]:
        """Scored criteria below the healing threshold, weakest first."""
        found = [
            c
            for c in self.criteria.values()
            if c.score is not None and c.score < self.heal_threshold
        ]
        return sorted(found, key=lambda c: (c.score or 0.0, c.name))

    @property
    def comments(self) -> str:
        """One sentence per weak or failed criterion, for humans and agents."""
        parts = [f"{c.name}: {c.comment}" for c in self.weak if c.comment]
        parts += [
            f"{c.name}: {c.comment}"
            for c in self.criteria.values()
            if c.status == "error" and c.comment
        ]
        return "; ".join(parts)

    @property
    def exit_code(self) -> int:
        """0 accepted or no accept_if, 1 rejected, 2 undecided (a rule read an error)."""
        return self.evaluation.exit_code

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract (see docs/scoring.md)."""
        shape = {
            "schema_version": SCHEMA_VERSION,
            "rubric": self.rubric,
            "rubric_origin": self.rubric_origin,
            "base": self.base,
            "base_ref": self.base_ref,
            "changed_files": list(self.changed_files),
            "tree_changed_by_tests": list(self.tree_changed_by_tests),
            "criteria": {name: c.to_json() for name, c in self.criteria.items()},
            "subscores": {name: _round(score) for name, score in self.subscores.items()},
            "final_score": _round(self.final_score),
            "total": _round(self.evaluation.total),
            "max_total": self.evaluation.max_total,
            "accepted": self.accepted,
            "review": self.review,
            "failed_rules": self.failed_rules,
            "verdict": self.evaluation.verdict,
            "undecided_rules": self.evaluation.undecided_rules,
            "rules": [
                {"rule": rule.text, "passed": rule.passed, "detail": rule.detail}
                for rule in self.evaluation.rules
            ],
            "comments": self.comments,
            "heal_threshold": self.heal_threshold,
            "trusted": self.trusted,
            "python": self.python.to_json(),
            "seconds": round(self.seconds, 3),
        }
        # Only runs with judged criteria have the section, so other reports stay as they were.
        if self.judge is not None:
            shape["judge"] = self.judge
        if self.review_id is not None:
            shape["review_id"] = self.review_id
        if self.evaluation.gated:
            shape["gated"] = dict(self.evaluation.gated)
        return shape


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def number(value: float) -> str:
    """A score as people write it: 0.4, 0.76, 1."""
    return f"{round(value, 2):g}"
