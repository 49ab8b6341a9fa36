"""Checks of score, rescore, critique, accept_if and review_if blocks against the rubric."""

from __future__ import annotations

from rubric_lsp.language.checks import bound_check
from rubric_lsp.language.diagnostics import Collector, did_you_mean
from rubric_lsp.language.evaluate import hand_scores
from rubric_lsp.language.model import (
    Block,
    CritiqueEntry,
    Document,
    Name,
    Range,
    Rule,
    ScoreEntry,
)
from rubric_lsp.language.vocabulary import CRITIQUE_VERBS, RULES, RuleSpec, rules_of


def _undefined(name: Name, defined: set[str], out: Collector) -> bool:
    """Report a reference to an undefined criterion; True when it was undefined."""
    if name.text in defined:
        return False
    hint = out.suggest(name.text, defined)
    known = out.sorted_names(defined)
    tail = did_you_mean(hint, known) if known else "; define it in reward_rubric first"
    out.add(name.range, "undefined-criterion", f"undefined criterion '{name.text}'{tail}", hint)
    return True


def check_scores(block: Block, document: Document, defined: set[str], out: Collector) -> None:
    """Undefined, repeated and out-of-scale entries of a score or rescore block."""
    low, high = document.scale
    seen: set[str] = set()
    for entry in block.entries_of(ScoreEntry):
        if not _undefined(entry.name, defined, out) and entry.name.text in seen:
            out.add(
                entry.name.range,
                "duplicate-score",
                f"'{entry.name.text}' is scored twice in this block; the later entry wins",
            )
        seen.add(entry.name.text)
        points = entry.points.number
        if points is not None and not low <= points <= high:
            out.add(
                entry.points.range,
                "score-out-of-scale",
                f"score {entry.points.raw} is outside the scale {low:g}..{high:g}",
            )


def check_critique(
    block: Block,
    document: Document,
    defined: set[str],
    earlier: dict[str, ScoreEntry],
    out: Collector,
) -> None:
    """Unknown verbs, undefined criteria, and revisions of a criterion already at the maximum."""
    _, high = document.scale
    verbs = tuple(CRITIQUE_VERBS)
    for entry in block.entries_of(CritiqueEntry):
        if entry.verb.text not in CRITIQUE_VERBS:
            out.unknown(entry.verb.range, "unknown-verb", "critique verb", entry.verb.text, verbs)
        if _undefined(entry.name, defined, out):
            continue
        latest = earlier.get(entry.name.text)
        if latest is not None and latest.points.number is not None and latest.points.number >= high:
            out.add(
                entry.name.range,
                "revise-at-maximum",
                f"'{entry.name.text}' already scores {latest.points.raw}, the scale maximum; "
                "revise a weaker criterion instead",
            )


def check_rules(block: Block, document: Document, defined: set[str], out: Collector) -> None:
    """Each rule of accept_if or review_if: known here, well-formed, and able to hold."""
    allowed = rules_of(block.kind)
    for entry in block.entries_of(Rule):
        keyword = entry.keyword.text
        spec = allowed.get(keyword)
        if spec is None:
            elsewhere = RULES.get(keyword)
            if elsewhere is not None:
                out.add(
                    entry.keyword.range,
                    "unknown-rule",
                    f"'{keyword}' belongs in {elsewhere.block}, not {block.kind}",
                )
            else:
                out.unknown(
                    entry.keyword.range,
                    "unknown-rule",
                    f"{block.kind} rule",
                    keyword,
                    tuple(allowed),
                )
            continue
        if spec.takes_criterion != (entry.target is not None) or len(entry.arguments) != spec.arity:
            out.add(entry.range, "invalid-arguments", f"write this rule as '{spec.example}'")
            continue
        if spec.takes_fraction:
            _check_fractions(spec, entry, out)
        else:
            _check_points(spec, entry, document, defined, out)


def _check_points(
    spec: RuleSpec, rule: Rule, document: Document, defined: set[str], out: Collector
) -> None:
    """A rule on points: no percentages, and a bound the scale or the total can reach."""
    low, high = document.scale
    keyword = rule.keyword.text
    first = rule.arguments[0]
    if first.kind == "percent":
        out.add(first.range, "invalid-value", f"{keyword} takes points, not a percentage")
        return
    number = first.number
    if spec.measure == "points" and rule.target is not None:
        _undefined(rule.target, defined, out)
        if number is not None and not low <= number <= high:
            out.add(
                first.range,
                "score-out-of-scale",
                f"{keyword} {first.raw} is outside the scale {low:g}..{high:g}",
            )
    elif spec.measure == "total" and defined and number is not None:
        max_total = high * len(defined)
        if number > max_total:
            out.add(
                first.range,
                "unreachable-total",
                f"{keyword} {first.raw} can never pass: the maximum total is {max_total:g} "
                f"({len(defined)} criteria x {high:g})",
            )


def _check_fractions(spec: RuleSpec, rule: Rule, out: Collector) -> None:
    """A rule on the weighted score: bounds in [0, 1], the lower one first."""
    keyword = rule.keyword.text
    numbers = [value.number for value in rule.arguments]
    for value, number in zip(rule.arguments, numbers, strict=True):
        if number is not None and not 0 <= number <= 1:
            out.add(
                value.range,
                "threshold-out-of-range",
                f"{keyword} compares a weighted score in [0, 1]; {value.raw} is outside it",
            )
    if spec.compare == "between":
        low, high = numbers
        if low is not None and high is not None and low > high:
            first, second = rule.arguments
            out.add(
                Range.span(first.range, second.range),
                "invalid-range",
                f"{keyword} {first.raw} {second.raw}: the lower bound comes first",
            )


def check_unscored(document: Document, out: Collector) -> None:
    """Criteria no score block scores and no check measures, once scoring has begun."""
    if not any(block.kind in ("score", "rescore") for block in document.blocks):
        return
    scored = set(hand_scores(document))
    reported: set[str] = set()
    for criterion in document.criteria:
        name = criterion.name.text
        if name in scored or name in reported or bound_check(criterion) is not None:
            continue
        reported.add(name)
        out.add(
            criterion.name.range,
            "unscored-criterion",
            f"'{name}' is never scored: add '{name} N \"why\"' to a score block, "
            "or bind it with check=",
        )
