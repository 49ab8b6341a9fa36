"""The one implementation of points, totals, weighted score and accept/review rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from rubric_lsp.language.checks import bound_check
from rubric_lsp.language.model import Document, Rule, ScoreEntry
from rubric_lsp.language.vocabulary import RuleSpec, rules_of

Status = Literal["scored", "unscored", "error", "skipped"]


@dataclass(frozen=True)
class Subscore:
    """A measured result for one criterion: a score in [0, 1] or a reason why not."""

    score: float | None
    status: Status = "scored"
    comment: str = ""


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's weight, binding, points on the scale and normalised score."""

    name: str
    weight: float
    check: str | None
    points: float | None
    score: float | None
    status: Status
    comment: str
    # "measured" when a critic produced it, "hand" when it came from score/rescore.
    source: Literal["measured", "hand", "none"] = "none"


@dataclass(frozen=True)
class RuleResult:
    """Whether one accept_if or review_if rule holds, and the numbers it saw."""

    text: str
    passed: bool
    detail: str
    rule: Rule


@dataclass(frozen=True)
class Evaluation:
    """Everything the acceptance step decides, in one inspectable value."""

    criteria: dict[str, CriterionResult]
    total: float
    max_total: float
    final_score: float | None
    accepted: bool | None
    review: bool
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def failed_rules(self) -> list[str]:
        """The accept_if rules that did not hold, as written."""
        return [result.text for result in self.rules if not result.passed]


def rule_text(rule: Rule) -> str:
    """A rule as it would be written in the file."""
    parts = [rule.keyword.text]
    if rule.target is not None:
        parts.append(rule.target.text)
    parts.extend(value.raw for value in rule.arguments)
    return " ".join(parts)


def hand_scores(document: Document) -> dict[str, ScoreEntry]:
    """The latest score/rescore entry for each criterion, in source order."""
    latest: dict[str, ScoreEntry] = {}
    for block in document.blocks:
        if block.kind in ("score", "rescore"):
            for entry in block.entries:
                if isinstance(entry, ScoreEntry):
                    latest[entry.name.text] = entry
    return latest


def to_points(score: float, scale: tuple[float, float]) -> float:
    """A normalised score in [0, 1] as points on the scale: 0 is its low end, 1 its high end."""
    low, high = scale
    return low + score * (high - low)


def to_score(points: float, scale: tuple[float, float]) -> float:
    """Points on the scale as a normalised score: (points - low) / (high - low)."""
    low, high = scale
    return (points - low) / (high - low)


def points_label(points: float, scale: tuple[float, float]) -> str:
    """``4.0/5`` on a scale from 0; ``4.0 on 1..5`` when the scale starts elsewhere."""
    low, high = scale
    if low == 0:
        return f"{points:.1f}/{high:g}"
    return f"{points:.1f} on {low:g}..{high:g}"


def weighted_score(pairs: Mapping[str, tuple[float, float]]) -> float | None:
    """Σ(weight·score)/Σweight over (weight, score) pairs; None when there are none."""
    total_weight = sum(weight for weight, _ in pairs.values())
    if not pairs or total_weight <= 0:
        return None
    return sum(weight * score for weight, score in pairs.values()) / total_weight


def evaluate(document: Document, measured: Mapping[str, Subscore] | None = None) -> Evaluation:
    """Combine measured subscores and hand scores, then apply accept_if and review_if."""
    measured = measured or {}
    scale = document.scale
    hand = hand_scores(document)
    criteria: dict[str, CriterionResult] = {}
    for criterion in document.criteria:
        name = criterion.name.text
        if name in criteria:
            continue
        check = bound_check(criterion)
        entry = hand.get(name)
        if name in measured:
            sub = measured[name]
            score = None if sub.score is None else min(1.0, max(0.0, sub.score))
            points = None if score is None else to_points(score, scale)
            status: Status = (
                sub.status if score is not None or sub.status != "scored" else "unscored"
            )
            result = CriterionResult(
                name, criterion.weight, check, points, score, status, sub.comment, "measured"
            )
        elif entry is not None and entry.points.number is not None:
            points = entry.points.number
            comment = entry.comment.text if entry.comment else ""
            result = CriterionResult(
                name,
                criterion.weight,
                check,
                points,
                to_score(points, scale),
                "scored",
                comment,
                "hand",
            )
        else:
            result = CriterionResult(name, criterion.weight, check, None, None, "unscored", "")
        criteria[name] = result

    scored = {
        name: (result.weight, result.score)
        for name, result in criteria.items()
        if result.score is not None
    }
    final = weighted_score(scored)
    total = sum(result.points for result in criteria.values() if result.points is not None)
    max_total = scale[1] * len(criteria)

    rules: list[RuleResult] = []
    accept = document.first("accept_if")
    if accept is not None:
        for accept_entry in accept.entries:
            if isinstance(accept_entry, Rule):
                rules.append(check_rule(accept_entry, "accept_if", criteria, total, final))
    review = False
    review_block = document.first("review_if")
    if review_block is not None:
        for review_entry in review_block.entries:
            if isinstance(review_entry, Rule):
                review |= check_rule(review_entry, "review_if", criteria, total, final).passed
    accepted = None if accept is None else all(result.passed for result in rules)
    return Evaluation(criteria, total, max_total, final, accepted, review, rules)


def check_rule(
    rule: Rule,
    block: str,
    criteria: Mapping[str, CriterionResult],
    total: float,
    final: float | None,
) -> RuleResult:
    """Decide one rule of ``block``; unknown or malformed rules fail (validation says why)."""
    text = rule_text(rule)
    keyword = rule.keyword.text
    numbers = [value.number for value in rule.arguments]
    if not numbers or numbers[0] is None:
        return RuleResult(text, False, "rule has no number", rule)
    spec = rules_of(block).get(keyword)
    if spec is None or (spec.takes_criterion and rule.target is None):
        return RuleResult(text, False, f"unknown rule '{keyword}'", rule)
    seen, what, missing = _measured(spec, rule, criteria, total, final)
    if seen is None:
        return RuleResult(text, False, missing, rule)
    shown = f"{seen:.2f}" if spec.takes_fraction else _fmt(seen)
    if spec.compare == "between":
        low, high = numbers[0], numbers[1] if len(numbers) > 1 else None
        holds = high is not None and low <= seen <= high
        bounds = f"{_fmt(low)}..{_fmt(high)}" if high is not None else _fmt(low)
        return RuleResult(text, holds, f"{what} {shown} in {bounds}", rule)
    limit = numbers[0]
    return RuleResult(text, seen >= limit, f"{what} {shown} vs {_fmt(limit)}", rule)


def _measured(
    spec: RuleSpec,
    rule: Rule,
    criteria: Mapping[str, CriterionResult],
    total: float,
    final: float | None,
) -> tuple[float | None, str, str]:
    """The number a rule compares, what to call it, and why it is missing when it is."""
    if spec.measure == "total":
        return total, "total", ""
    if spec.measure == "weighted":
        return final, "weighted", "no criterion is scored"
    name = rule.target.text if rule.target is not None else ""
    result = criteria.get(name)
    return (None if result is None else result.points), name, f"{name} is unscored"


def _fmt(value: float) -> str:
    """Print whole numbers without a decimal point, others with up to two places."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")
