"""Semantic checks of a parsed document: every diagnostic has a stable code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from rubric_lsp.language.checks import BUILTIN_CHECKS, CHECK_SETTINGS, bound_check
from rubric_lsp.language.evaluate import hand_scores
from rubric_lsp.language.model import (
    ACCEPT_RULES,
    BLOCK_KEYWORDS,
    CRITERION_ATTRIBUTES,
    CRITIQUE_VERBS,
    REVIEW_RULES,
    RUBRIC_FIELDS,
    SINGLE_BLOCKS,
    TASK_FIELDS,
    Attribute,
    Block,
    CheckConfig,
    Criterion,
    CritiqueEntry,
    Diagnostic,
    Document,
    Name,
    Position,
    Range,
    Rule,
    Scale,
    ScoreEntry,
    Severity,
    TaskField,
    UnknownField,
    Value,
)
from rubric_lsp.language.parser import paused_gc

# Seed 001: "Keep weights small and roughly balanced. Large single weights invite reward hacking."
DOMINANT_WEIGHT_SHARE = 0.5
# Seed 001: "Keep the rubric short enough to survive repeated use."
MAX_CRITERIA = 12

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

_RULE_SHAPES: dict[str, tuple[bool, int]] = {
    # rule keyword -> (takes a criterion name, how many numbers)
    "total_gte": (False, 1),
    "minimum": (True, 1),
    "weighted_gte": (False, 1),
    "weighted_between": (False, 2),
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


def _did_you_mean(suggestion: str | None, known: Sequence[str]) -> str:
    if suggestion:
        return f"; did you mean '{suggestion}'?"
    return "; expected one of " + ", ".join(known)


class _Collector:
    """Accumulates diagnostics with their default severity."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, rng: Range, code: str, message: str, suggestion: str | None = None) -> None:
        if rng.start == rng.end and code != "missing-rubric":
            return  # about a placeholder for a value the parser found missing
        self.items.append(Diagnostic(rng, CODES[code], code, message, suggestion))

    def unknown(
        self, rng: Range, code: str, what: str, word: str, known: Sequence[str], where: str = ""
    ) -> None:
        """``unknown WHAT 'word'WHERE; did you mean ...?``, with the suggestion for quick fixes."""
        hint = suggest(word, known)
        message = f"unknown {what} '{word}'{where}{_did_you_mean(hint, known)}"
        self.add(rng, code, message, hint)


def validate(document: Document) -> list[Diagnostic]:
    """All diagnostics of a document: syntax errors and semantic checks, by position."""
    with paused_gc():
        return _validate(document)


def _validate(document: Document) -> list[Diagnostic]:
    out = _Collector()
    out.items.extend(document.syntax_errors)
    if any(d.code == "file-too-large" for d in document.syntax_errors):
        return out.items
    _check_blocks(document, out)
    rubric = document.first("reward_rubric")
    defined: set[str] = set()
    if rubric is not None:
        defined = _check_rubric(rubric, document, out)
    # The latest hand score of each criterion so far, for critique checks.
    scored_so_far: dict[str, ScoreEntry] = {}
    for block in document.blocks:
        if block.kind == "task":
            _check_task(block, out)
        elif block.kind == "checks":
            _check_checks(block, out)
        elif block.kind in ("score", "rescore"):
            _check_scores(block, document, defined, out)
            for entry in block.entries:
                if isinstance(entry, ScoreEntry):
                    scored_so_far[entry.name.text] = entry
        elif block.kind == "critique":
            _check_critique(block, document, defined, scored_so_far, out)
        elif block.kind in ("accept_if", "review_if"):
            _check_rules(block, document, defined, out)
    if rubric is not None:
        _check_unscored(document, out)
    out.items.sort(key=lambda d: (d.range.start, d.range.end))
    return out.items


def _check_blocks(document: Document, out: _Collector) -> None:
    seen: dict[str, Block] = {}
    for block in document.blocks:
        keyword = block.keyword.text
        if block.kind == "unknown":
            out.unknown(block.keyword.range, "unknown-block", "block", keyword, BLOCK_KEYWORDS)
            continue
        if block.kind in SINGLE_BLOCKS and block.kind in seen:
            first = seen[block.kind]
            out.add(
                block.keyword.range,
                "duplicate-block",
                f"'{keyword}' may appear only once (first on line "
                f"{first.keyword.range.start.line + 1}); merge the two blocks",
            )
        seen.setdefault(block.kind, block)
    if "reward_rubric" not in seen and not document.syntax_errors:
        start = Position(0, 0)
        out.add(
            Range(start, start),
            "missing-rubric",
            "no 'reward_rubric' block: add one, "
            "e.g. reward_rubric { criterion correctness weight=5 }",
        )


def _check_task(block: Block, out: _Collector) -> None:
    seen: set[str] = set()
    for entry in block.entries:
        if not isinstance(entry, TaskField):
            continue
        key = entry.key.text
        if key not in TASK_FIELDS:
            out.unknown(entry.key.range, "unknown-field", "task field", key, TASK_FIELDS)
        elif key in seen and key != "constraints":
            out.add(
                entry.key.range,
                "duplicate-field",
                f"'{key}' is given twice; keep one (only 'constraints' may repeat)",
            )
        seen.add(key)


def _check_rubric(block: Block, document: Document, out: _Collector) -> set[str]:
    """Check criteria and scale; return the names of defined criteria."""
    defined: dict[str, Criterion] = {}
    scales = 0
    for entry in block.entries:
        if isinstance(entry, Criterion):
            _check_criterion(entry, defined, out)
        elif isinstance(entry, Scale):
            scales += 1
            _check_scale(entry, scales, out)
        elif isinstance(entry, UnknownField):
            key = entry.key.text
            out.unknown(
                entry.key.range, "unknown-field", "field", key, RUBRIC_FIELDS, " in reward_rubric"
            )
    criteria = list(defined.values())
    if not criteria and not document.syntax_errors:
        out.add(
            block.keyword.range,
            "empty-rubric",
            "reward_rubric defines no criteria: add e.g. 'criterion correctness weight=5'",
        )
    total_weight = sum(c.weight for c in criteria)
    weights_valid = all(_weight_valid(c) for c in criteria)
    if len(criteria) >= 2 and weights_valid:
        for criterion in criteria:
            share = criterion.weight / total_weight
            if share > DOMINANT_WEIGHT_SHARE:
                weight = criterion.attribute("weight")
                out.add(
                    weight.range if weight else criterion.name.range,
                    "dominant-weight",
                    f"'{criterion.name.text}' carries {share:.0%} of the total weight; "
                    "large single weights invite reward hacking: keep weights balanced",
                )
    if len(criteria) > MAX_CRITERIA:
        out.add(
            block.keyword.range,
            "too-many-criteria",
            f"{len(criteria)} criteria; rubrics over {MAX_CRITERIA} are hard to score "
            "consistently: merge or drop some",
        )
    return set(defined)


def _weight_valid(criterion: Criterion) -> bool:
    """Whether a criterion's weight is absent (1) or a positive number."""
    weight = criterion.attribute("weight")
    return weight is None or _positive_number(weight.value)


def _positive_number(value: Value) -> bool:
    number = value.number
    return value.kind == "number" and number is not None and number > 0


def _check_criterion(entry: Criterion, defined: dict[str, Criterion], out: _Collector) -> None:
    name = entry.name.text
    if name in defined:
        first = defined[name]
        out.add(
            entry.name.range,
            "duplicate-criterion",
            f"criterion '{name}' is already defined on line "
            f"{first.name.range.start.line + 1}; remove or rename this one",
        )
    else:
        defined[name] = entry
    for attribute in entry.attributes:
        key = attribute.key.text
        if key not in CRITERION_ATTRIBUTES:
            out.unknown(
                attribute.key.range,
                "unknown-attribute",
                "criterion attribute",
                key,
                CRITERION_ATTRIBUTES,
            )
        elif key == "weight":
            if not _positive_number(attribute.value):
                out.add(
                    attribute.value.range,
                    "invalid-weight",
                    f"weight must be a positive number, not {attribute.value.raw}",
                )
        elif key == "check":
            _check_check_binding(attribute, out)


def _check_check_binding(attribute: Attribute, out: _Collector) -> None:
    value = attribute.value
    if value.kind != "name":
        out.add(
            value.range,
            "invalid-value",
            f"check= takes a check name such as pylint, not {value.raw}",
        )
        return
    if value.raw not in BUILTIN_CHECKS:
        out.unknown(value.range, "unknown-check", "check", value.raw, list(BUILTIN_CHECKS))


def _check_scale(entry: Scale, count: int, out: _Collector) -> None:
    if count > 1:
        out.add(entry.keyword.range, "duplicate-field", "scale is given twice; keep one")
    bounds = entry.value.bounds
    if bounds is None:
        return
    low, high = bounds
    if not (low.is_integer() and high.is_integer()):
        out.add(entry.value.range, "invalid-scale", "scale bounds must be integers, e.g. 0..5")
    elif low >= high:
        out.add(
            entry.value.range,
            "invalid-scale",
            f"scale minimum {low:g} must be below its maximum {high:g}, e.g. 0..5",
        )
    elif high <= 0:
        out.add(entry.value.range, "invalid-scale", "scale maximum must be positive, e.g. 0..5")


def _check_checks(block: Block, out: _Collector) -> None:
    seen: set[str] = set()
    for entry in block.entries:
        if not isinstance(entry, CheckConfig):
            continue
        name = entry.name.text
        if name not in BUILTIN_CHECKS or name == "manual":
            known = [c for c in BUILTIN_CHECKS if c != "manual"]
            out.unknown(entry.name.range, "unknown-check", "check", name, known)
        elif name in seen:
            out.add(entry.name.range, "duplicate-field", f"check '{name}' is configured twice")
        seen.add(name)
        for attribute in entry.attributes:
            _check_setting(attribute, out)


def _check_setting(attribute: Attribute, out: _Collector) -> None:
    key, value = attribute.key.text, attribute.value
    if key not in CHECK_SETTINGS:
        out.unknown(
            attribute.key.range, "unknown-attribute", "check setting", key, list(CHECK_SETTINGS)
        )
        return
    problem = None
    if key == "command" and value.kind != "string":
        problem = 'command= takes a quoted string, e.g. command="python -m pytest -q"'
    elif key == "timeout" and (value.kind != "number" or (value.number or 0) <= 0):
        problem = f"timeout= takes a positive number of seconds, not {value.raw}"
    elif key == "repeat" and (value.kind != "number" or not _is_positive_integer(value)):
        problem = f"repeat= takes a positive whole number, not {value.raw}"
    elif key == "enabled" and value.raw not in ("true", "false"):
        problem = f"enabled= takes true or false, not {value.raw}"
    if problem:
        out.add(value.range, "invalid-value", problem)


def _is_positive_integer(value: Value) -> bool:
    number = value.number
    return number is not None and number >= 1 and number.is_integer()


def _undefined(name: Name, defined: set[str], out: _Collector) -> bool:
    """Report a reference to an undefined criterion; True when it was undefined."""
    if name.text in defined:
        return False
    hint = suggest(name.text, defined)
    known = sorted(defined)
    tail = _did_you_mean(hint, known) if known else "; define it in reward_rubric first"
    out.add(name.range, "undefined-criterion", f"undefined criterion '{name.text}'{tail}", hint)
    return True


def _check_scores(block: Block, document: Document, defined: set[str], out: _Collector) -> None:
    low, high = document.scale
    seen: set[str] = set()
    for entry in block.entries:
        if not isinstance(entry, ScoreEntry):
            continue
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


def _check_critique(
    block: Block,
    document: Document,
    defined: set[str],
    earlier: dict[str, ScoreEntry],
    out: _Collector,
) -> None:
    _, high = document.scale
    for entry in block.entries:
        if not isinstance(entry, CritiqueEntry):
            continue
        if entry.verb.text not in CRITIQUE_VERBS:
            out.unknown(
                entry.verb.range, "unknown-verb", "critique verb", entry.verb.text, CRITIQUE_VERBS
            )
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


def _check_rules(block: Block, document: Document, defined: set[str], out: _Collector) -> None:
    low, high = document.scale
    allowed = ACCEPT_RULES if block.kind == "accept_if" else REVIEW_RULES
    other = "review_if" if block.kind == "accept_if" else "accept_if"
    max_total = high * len(defined)
    for entry in block.entries:
        if not isinstance(entry, Rule):
            continue
        keyword = entry.keyword.text
        if keyword not in allowed:
            if keyword in _RULE_SHAPES:
                out.add(
                    entry.keyword.range,
                    "unknown-rule",
                    f"'{keyword}' belongs in {other}, not {block.kind}",
                )
            else:
                out.unknown(
                    entry.keyword.range, "unknown-rule", f"{block.kind} rule", keyword, allowed
                )
            continue
        if not _rule_shape_ok(entry, out):
            continue
        numbers = [value.number for value in entry.arguments]
        first = entry.arguments[0]
        if keyword in ("total_gte", "minimum") and first.kind == "percent":
            out.add(first.range, "invalid-value", f"{keyword} takes points, not a percentage")
            continue
        if keyword == "minimum" and entry.target is not None:
            _undefined(entry.target, defined, out)
            if numbers[0] is not None and not low <= numbers[0] <= high:
                out.add(
                    first.range,
                    "score-out-of-scale",
                    f"minimum {first.raw} is outside the scale {low:g}..{high:g}",
                )
        elif keyword == "total_gte" and defined and numbers[0] is not None:
            if numbers[0] > max_total:
                out.add(
                    first.range,
                    "unreachable-total",
                    f"total_gte {first.raw} can never pass: the maximum total is {max_total:g} "
                    f"({len(defined)} criteria x {high:g})",
                )
        elif keyword in ("weighted_gte", "weighted_between"):
            for value, number in zip(entry.arguments, numbers, strict=True):
                if number is not None and not 0 <= number <= 1:
                    out.add(
                        value.range,
                        "threshold-out-of-range",
                        f"{keyword} compares a weighted score in [0, 1]; {value.raw} is outside it",
                    )
            if keyword == "weighted_between" and None not in numbers and numbers[0] > numbers[1]:  # type: ignore[operator]
                out.add(
                    Range.span(entry.arguments[0].range, entry.arguments[1].range),
                    "invalid-range",
                    f"weighted_between {entry.arguments[0].raw} {entry.arguments[1].raw}: "
                    "the lower bound comes first",
                )


def _rule_shape_ok(rule: Rule, out: _Collector) -> bool:
    keyword = rule.keyword.text
    takes_name, count = _RULE_SHAPES[keyword]
    example = {
        "total_gte": "total_gte 27",
        "minimum": "minimum correctness 4",
        "weighted_gte": "weighted_gte 0.8",
        "weighted_between": "weighted_between 0.5 0.7",
    }[keyword]
    if takes_name != (rule.target is not None) or len(rule.arguments) != count:
        out.add(rule.range, "invalid-arguments", f"write this rule as '{example}'")
        return False
    return True


def _check_unscored(document: Document, out: _Collector) -> None:
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
