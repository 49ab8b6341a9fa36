"""The one implementation of points, totals, weighted score and accept/review rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from rubric_lsp.language.checks import bound_check
from rubric_lsp.language.gate import Agreement, calibration_gate, gate_reason
from rubric_lsp.language.model import Document, Rule, ScoreEntry
from rubric_lsp.language.vocabulary import RuleSpec, rules_of

Status = Literal["scored", "unscored", "error", "skipped"]
Verdict = Literal["accepted", "rejected", "undecided", "no accept_if"]

# A check ran for these but could not measure (a missing tool, a timeout, an untrusted
# workspace): the criterion's value is unknown, not low, so a rule over it is undecided.
UNMEASURED: frozenset[Status] = frozenset({"error", "skipped"})


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
    """Whether one accept_if or review_if rule holds (None: undecided), and what it saw."""

    text: str
    # None when a criterion the rule reads could not be measured and could decide it.
    passed: bool | None
    detail: str
    rule: Rule

    @property
    def mark(self) -> str:
        """``pass``, ``FAIL`` or ``UNDECIDED``, as the text reports list the rules."""
        return {True: "pass", False: "FAIL", None: "UNDECIDED"}[self.passed]


@dataclass(frozen=True)
class Evaluation:
    """Everything the acceptance step decides, in one inspectable value."""

    criteria: dict[str, CriterionResult]
    total: float
    max_total: float
    final_score: float | None
    # True: every accept_if rule holds; False: one fails; None: no accept_if, or undecided.
    accepted: bool | None
    review: bool
    rules: list[RuleResult] = field(default_factory=list)
    # Measured criteria a calibration gate leaves out of accept_if and the weighted score.
    gated: dict[str, str] = field(default_factory=dict)

    @property
    def failed_rules(self) -> list[str]:
        """The accept_if rules that did not hold, as written."""
        return [result.text for result in self.rules if result.passed is False]

    @property
    def undecided_rules(self) -> list[str]:
        """The accept_if rules an unmeasured criterion leaves open, as written."""
        return [result.text for result in self.rules if result.passed is None]

    @property
    def verdict(self) -> Verdict:
        """Rejected when a rule fails; undecided when none fails but one cannot be decided."""
        if self.accepted is not None:
            return "accepted" if self.accepted else "rejected"
        return "undecided" if self.undecided_rules else "no accept_if"

    @property
    def exit_code(self) -> int:
        """0 accepted or no accept_if, 1 rejected, 2 undecided (nothing was judged)."""
        return {"rejected": 1, "undecided": 2}.get(self.verdict, 0)

    def verdict_text(self, review_note: str = " (needs review)") -> str:
        """The verdict in words: the undecided rules with their reasons, the review flag."""
        words: str = self.verdict
        if self.verdict == "undecided":
            open_rules = [rule for rule in self.rules if rule.passed is None]
            words += " (" + "; ".join(f"{r.text}: {r.detail}" for r in open_rules) + ")"
        return words + (review_note if self.review else "")


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


def _gated(
    document: Document,
    criteria: Mapping[str, CriterionResult],
    agreement: Mapping[str, Agreement],
) -> dict[str, str]:
    """The measured criteria whose gate is still closed, each with why."""
    gated: dict[str, str] = {}
    for criterion in document.criteria:
        name = criterion.name.text
        gate = calibration_gate(criterion)
        result = criteria.get(name)
        # A person's own hand score needs no calibration against people.
        if gate is None or result is None or result.source != "measured" or name in gated:
            continue
        reason = gate_reason(gate, agreement.get(name))
        if reason is not None:
            gated[name] = reason
    return gated


def evaluate(
    document: Document,
    measured: Mapping[str, Subscore] | None = None,
    agreement: Mapping[str, Agreement] | None = None,
) -> Evaluation:
    """Combine measured subscores and hand scores, then apply accept_if and review_if.

    ``agreement``: each criterion's agreement with people, for calibration-gated criteria
    (``min_agreement=``); a gated criterion without it counts as never calibrated.
    """
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

    gated = _gated(document, criteria, agreement or {})
    # Gated criteria stay in the report; the rules, the total and the weighted score skip them.
    counted = {name: result for name, result in criteria.items() if name not in gated}
    scored = {
        name: (result.weight, result.score)
        for name, result in counted.items()
        if result.score is not None
    }
    final = weighted_score(scored)
    total = sum(result.points for result in counted.values() if result.points is not None)
    max_total = scale[1] * len(counted)

    rules: list[RuleResult] = []
    accept = document.first("accept_if")
    if accept is not None:
        for accept_entry in accept.entries:
            if isinstance(accept_entry, Rule):
                target = accept_entry.target.text if accept_entry.target is not None else None
                if target in gated:
                    text = rule_text(accept_entry)
                    reason = f"{target} {gated[target]}"
                    rules.append(RuleResult(text, True, reason, accept_entry))
                    continue
                rules.append(check_rule(accept_entry, "accept_if", counted, total, final, scale))
    accepted = None if accept is None else _accepted(rules)
    review = False
    review_block = document.first("review_if")
    if review_block is not None:
        for review_entry in review_block.entries:
            if isinstance(review_entry, Rule):
                review |= (
                    check_rule(review_entry, "review_if", counted, total, final).passed is True
                )
    return Evaluation(criteria, total, max_total, final, accepted, review, rules, gated)


def _accepted(rules: list[RuleResult]) -> bool | None:
    """False when a rule fails (whatever the others), None when one is open, else True."""
    if any(result.passed is False for result in rules):
        return False
    return None if any(result.passed is None for result in rules) else True


def check_rule(
    rule: Rule,
    block: str,
    criteria: Mapping[str, CriterionResult],
    total: float,
    final: float | None,
    scale: tuple[float, float] = (0.0, 5.0),
) -> RuleResult:
    """Decide one rule of ``block``; unknown or malformed rules fail (validation says why).

    A criterion whose check could not measure it (``error``, ``skipped``) may lie anywhere
    on the scale: the rule holds when it holds at the criterion's worst, fails when it fails
    at its best, and is otherwise undecided (``passed`` None), naming the criterion.
    """
    text = rule_text(rule)
    keyword = rule.keyword.text
    numbers = [value.number for value in rule.arguments]
    if not numbers or numbers[0] is None:
        return RuleResult(text, False, "rule has no number", rule)
    spec = rules_of(block).get(keyword)
    if spec is None or (spec.takes_criterion and rule.target is None):
        return RuleResult(text, False, f"unknown rule '{keyword}'", rule)
    unmeasured = _unmeasured(spec, rule, criteria)
    seen, what, missing = _measured(spec, rule, criteria, total, final)
    if seen is None and not unmeasured:
        return RuleResult(text, False, missing, rule)
    if spec.compare == "between":
        if seen is None:
            return RuleResult(text, None, _open(unmeasured), rule)
        return _between(text, rule, spec, numbers, seen, what)
    worst, best = _bounds(spec.measure, criteria, unmeasured, total, seen, scale)
    return _at_least(text, rule, spec, numbers[0], (worst, best), what, unmeasured)


def _shown(spec: RuleSpec, value: float) -> str:
    """A rule's number as its detail shows it: a fraction with two places, else points."""
    return f"{value:.2f}" if spec.takes_fraction else _fmt(value)


def _between(
    text: str, rule: Rule, spec: RuleSpec, numbers: list[float | None], seen: float, what: str
) -> RuleResult:
    """A ``weighted_between A B`` rule over a measured number."""
    low, high = numbers[0] or 0.0, numbers[1] if len(numbers) > 1 else None
    holds = high is not None and low <= seen <= high
    bounds = f"{_fmt(low)}..{_fmt(high)}" if high is not None else _fmt(low)
    return RuleResult(text, holds, f"{what} {_shown(spec, seen)} in {bounds}", rule)


def _at_least(
    text: str,
    rule: Rule,
    spec: RuleSpec,
    limit: float,
    bounds: tuple[float | None, float],
    what: str,
    unmeasured: list[CriterionResult],
) -> RuleResult:
    """A ``>= limit`` rule: decided by its worst case, or its best case, or left open."""
    worst, best = bounds
    if worst is not None and worst >= limit:
        reach = ("at least " if unmeasured else "") + _shown(spec, worst)
        return RuleResult(text, True, f"{what} {reach} vs {_fmt(limit)}", rule)
    if not unmeasured or best < limit:
        reach = ("at most " if unmeasured else "") + _shown(spec, best)
        return RuleResult(text, False, f"{what} {reach} vs {_fmt(limit)}", rule)
    return RuleResult(text, None, _open(unmeasured), rule)


def _unmeasured(
    spec: RuleSpec, rule: Rule, criteria: Mapping[str, CriterionResult]
) -> list[CriterionResult]:
    """The criteria a rule reads whose check could not measure them."""
    if spec.measure in ("total", "weighted"):
        read = list(criteria.values())
    else:
        target = criteria.get(rule.target.text if rule.target is not None else "")
        read = [] if target is None else [target]
    return [c for c in read if c.score is None and c.status in UNMEASURED]


def _bounds(
    measure: str,
    criteria: Mapping[str, CriterionResult],
    unmeasured: list[CriterionResult],
    total: float,
    seen: float | None,
    scale: tuple[float, float],
) -> tuple[float | None, float]:
    """The rule's number with the unmeasured criteria at the scale's low end and at its top."""
    low, high = scale
    if measure == "total":
        return total + low * len(unmeasured), total + high * len(unmeasured)
    if measure == "weighted":
        pairs = [(c.weight, c.score) for c in criteria.values() if c.score is not None]
        known = sum(weight * score for weight, score in pairs)
        weight = sum(weight for weight, _ in pairs) + sum(c.weight for c in unmeasured)
        if weight <= 0:
            return None, 0.0
        extra = sum(c.weight for c in unmeasured)
        return known / weight, (known + extra) / weight
    if unmeasured:
        return low, high
    return seen, seen if seen is not None else low


def _open(unmeasured: list[CriterionResult]) -> str:
    """Why a rule is undecided: each criterion it reads that could not be measured."""
    reasons = []
    for criterion in unmeasured:
        why = f": {criterion.comment}" if criterion.comment else ""
        reasons.append(f"{criterion.name} is {criterion.status}{why}")
    return "; ".join(reasons)


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
