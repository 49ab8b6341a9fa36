"""Semantic checks of a parsed document: every diagnostic has a stable code."""

from __future__ import annotations

from collections.abc import Callable

from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.language.diagnostics import CODES as CODES
from rubric_lsp.language.diagnostics import Collector
from rubric_lsp.language.model import (
    Attribute,
    Block,
    CheckConfig,
    Criterion,
    Diagnostic,
    Document,
    Position,
    Range,
    Scale,
    ScoreEntry,
    TaskField,
    UnknownField,
)
from rubric_lsp.language.parser import paused_gc
from rubric_lsp.language.validate_scores import (
    check_critique,
    check_rules,
    check_scores,
    check_unscored,
)
from rubric_lsp.language.vocabulary import (
    BLOCKS,
    CHECK_SETTING_FIELDS,
    CRITERION_ATTRIBUTES,
    RUBRIC_ENTRIES,
    TASK_FIELDS,
    FieldSpec,
    accepts,
)

# Seed 001: "Keep weights small and roughly balanced. Large single weights invite reward hacking."
DOMINANT_WEIGHT_SHARE = 0.5
# Seed 001: "Keep the rubric short enough to survive repeated use."
MAX_CRITERIA = 12


def validate(document: Document) -> list[Diagnostic]:
    """All diagnostics of a document: syntax errors and semantic checks, by position."""
    with paused_gc():
        return _validate(document)


def _validate(document: Document) -> list[Diagnostic]:
    out = Collector()
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
    by_shape: dict[str, Callable[[Block], None]] = {
        "fields": lambda block: _check_task(block, out),
        "settings": lambda block: _check_checks(block, out),
        "scores": lambda block: check_scores(block, document, defined, out),
        "critiques": lambda block: check_critique(block, document, defined, scored_so_far, out),
        "rules": lambda block: check_rules(block, document, defined, out),
    }
    for block in document.blocks:
        spec = BLOCKS.get(block.kind)
        check = by_shape.get(spec.shape) if spec is not None else None
        if check is None:
            continue  # reward_rubric is checked above, unknown blocks in _check_blocks
        check(block)
        if spec is not None and spec.shape == "scores":
            for entry in block.entries:
                if isinstance(entry, ScoreEntry):
                    scored_so_far[entry.name.text] = entry
    if rubric is not None:
        check_unscored(document, out)
        _check_judge_endpoint(document, out)
    out.items.sort(key=lambda d: (d.range.start, d.range.end))
    return out.items


def _check_blocks(document: Document, out: Collector) -> None:
    seen: dict[str, Block] = {}
    for block in document.blocks:
        keyword = block.keyword.text
        spec = BLOCKS.get(block.kind)
        if spec is None:
            out.unknown(block.keyword.range, "unknown-block", "block", keyword, tuple(BLOCKS))
            continue
        if spec.once and block.kind in seen:
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


def _check_task(block: Block, out: Collector) -> None:
    repeatable = " or ".join(f"'{f.name}'" for f in TASK_FIELDS.values() if f.repeatable)
    seen: set[str] = set()
    for entry in block.entries_of(TaskField):
        key = entry.key.text
        spec = TASK_FIELDS.get(key)
        if spec is None:
            out.unknown(entry.key.range, "unknown-field", "task field", key, tuple(TASK_FIELDS))
        elif key in seen and not spec.repeatable:
            out.add(
                entry.key.range,
                "duplicate-field",
                f"'{key}' is given twice; keep one (only {repeatable} may repeat)",
            )
        seen.add(key)


def _check_rubric(block: Block, document: Document, out: Collector) -> set[str]:
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
            known = tuple(RUBRIC_ENTRIES)
            out.unknown(entry.key.range, "unknown-field", "field", key, known, " in reward_rubric")
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
    """Whether a criterion's weight is absent (1) or a value its field accepts."""
    weight = criterion.attribute("weight")
    return weight is None or accepts(CRITERION_ATTRIBUTES["weight"].value, weight.value)


def _check_criterion(entry: Criterion, defined: dict[str, Criterion], out: Collector) -> None:
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
        _check_attribute(attribute, CRITERION_ATTRIBUTES, "criterion attribute", out)


def _check_attribute(
    attribute: Attribute, fields: dict[str, FieldSpec], what: str, out: Collector
) -> None:
    """An attribute key its entry knows, with a value of the shape that key takes."""
    key, value = attribute.key.text, attribute.value
    spec = fields.get(key)
    if spec is None:
        out.unknown(attribute.key.range, "unknown-attribute", what, key, tuple(fields))
    elif not accepts(spec.value, value):
        out.add(value.range, spec.problem_code, spec.problem.format(raw=value.raw))
    elif spec.value == "check-name" and value.raw not in BUILTIN_CHECKS:
        out.unknown(value.range, "unknown-check", "check", value.raw, tuple(BUILTIN_CHECKS))


def _check_judge_endpoint(document: Document, out: Collector) -> None:
    """A judged criterion while the rubric says nothing of the judge: say how to give one.

    A ``judge`` entry without ``url=`` is a choice (the URL comes from the user's side).
    """
    block = document.first("checks")
    configs = block.entries_of(CheckConfig) if block is not None else ()
    if any(c.name.text == "judge" for c in configs):
        return
    for criterion in document.criteria:
        if criterion.check_name == "judge":
            out.add(
                criterion.name.range,
                "judge-without-endpoint",
                f"criterion '{criterion.name.text}' is judged by a model, but this rubric names "
                'no endpoint: add checks { judge url="http://127.0.0.1:8080/v1" } and allow '
                "it with --judge-url, RUBRIC_JUDGE_URL or the editor setting judgeUrl "
                "(without one it is skipped)",
            )


def _check_scale(entry: Scale, count: int, out: Collector) -> None:
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


def _check_checks(block: Block, out: Collector) -> None:
    seen: set[str] = set()
    for entry in block.entries_of(CheckConfig):
        name = entry.name.text
        if name not in BUILTIN_CHECKS or name == "manual":
            known = tuple(c for c in BUILTIN_CHECKS if c != "manual")
            out.unknown(entry.name.range, "unknown-check", "check", name, known)
        elif name in seen:
            out.add(entry.name.range, "duplicate-field", f"check '{name}' is configured twice")
        seen.add(name)
        for attribute in entry.attributes:
            _check_attribute(attribute, CHECK_SETTING_FIELDS, "check setting", out)
