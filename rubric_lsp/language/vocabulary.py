"""What the words of the language mean: blocks, their entries and fields, rules and their arguments.

The grammar (grammar/rubric.lark) says which texts parse; this module says what the parsed words
mean. Validation, evaluation, completion, hover and the completion context all read it, so a new
task field, attribute, check setting or rule is one entry here (and a line in docs/language.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from rubric_lsp.language.checks import CHECK_SETTINGS
from rubric_lsp.language.model import BlockKind, Value

# How the entries of a block are written; the completion context follows one machine per shape.
EntryShape = Literal[
    "fields",  # NAME STRING (task)
    "rubric",  # criterion NAME attribute* | scale RANGE
    "settings",  # CHECK attribute* (checks)
    "scores",  # NAME POINTS STRING?
    "critiques",  # VERB NAME STRING?
    "rules",  # RULE NAME? NUMBER+
]

# What a field or attribute value must be.
ValueShape = Literal[
    "string", "positive-number", "positive-integer", "boolean", "check-name", "fraction"
]

_ACCEPTS: dict[ValueShape, Callable[[Value], bool]] = {
    "string": lambda value: value.kind == "string",
    "positive-number": lambda value: value.kind == "number" and (value.number or 0) > 0,
    "positive-integer": lambda value: (
        value.kind == "number" and (value.number or 0) >= 1 and (value.number or 0.0).is_integer()
    ),
    "boolean": lambda value: value.raw in ("true", "false"),
    "check-name": lambda value: value.kind == "name",
    "fraction": lambda value: value.kind == "number" and 0 < (value.number or 0) <= 1,
}


def accepts(shape: ValueShape, value: Value) -> bool:
    """Whether a value has the shape a field or attribute takes."""
    return _ACCEPTS[shape](value)


@dataclass(frozen=True)
class Word:
    """A keyword of the language, with the markdown hover and completion show for it."""

    name: str
    doc: str
    # What completion inserts when the client takes snippets.
    snippet: str | None = None


@dataclass(frozen=True)
class BlockSpec(Word):
    """A top-level block: how its entries are written and how often it may appear."""

    kind: BlockKind = "unknown"
    shape: EntryShape = "fields"
    # The grammar rule that parses it.
    grammar_rule: str = ""
    once: bool = True


@dataclass(frozen=True)
class FieldSpec(Word):
    """A task field, criterion attribute or check setting, and the value it takes."""

    value: ValueShape = "string"
    repeatable: bool = False
    # The diagnostic when the value has the wrong shape; {raw} is the value as written.
    problem: str = ""
    problem_code: str = "invalid-value"


@dataclass(frozen=True)
class RuleSpec(Word):
    """An accept_if or review_if rule: what it compares, and how its arguments are written."""

    block: Literal["accept_if", "review_if"] = "accept_if"
    # What the rule looks at: the total points, one criterion's points, or the weighted score.
    measure: Literal["total", "points", "weighted"] = "total"
    # "at-least" takes one number; "between" takes a low and a high bound.
    compare: Literal["at-least", "between"] = "at-least"
    example: str = ""

    @property
    def takes_criterion(self) -> bool:
        """Whether the rule names a criterion before its numbers (``minimum tests 4``)."""
        return self.measure == "points"

    @property
    def arity(self) -> int:
        """How many numbers the rule takes."""
        return 2 if self.compare == "between" else 1

    @property
    def takes_fraction(self) -> bool:
        """Whether the numbers are weighted scores in [0, 1] rather than points."""
        return self.measure == "weighted"


_W = TypeVar("_W", bound=Word)


def _by_name(*words: _W) -> dict[str, _W]:
    return {word.name: word for word in words}


BLOCKS: dict[str, BlockSpec] = _by_name(
    BlockSpec(
        "task",
        "**task** `{ ... }` — what the change is meant to do: `title`, `objective` and "
        "`constraints` strings. At most once per file.",
        'task {\n  title "$1"\n  objective "$2"\n}',
        kind="task",
        shape="fields",
        grammar_rule="task_block",
    ),
    BlockSpec(
        "reward_rubric",
        "**reward_rubric** `{ ... }` — the criteria a change is scored on: "
        "`criterion NAME weight=N check=NAME` entries and an optional `scale LOW..HIGH` "
        "(default `0..5`). Exactly once per file.",
        "reward_rubric {\n  criterion ${1:correctness} weight=${2:1}\n}",
        kind="reward_rubric",
        shape="rubric",
        grammar_rule="rubric_block",
    ),
    BlockSpec(
        "checks",
        '**checks** `{ ... }` — how bound critics run: `CHECK command="..." timeout=SECONDS '
        'repeat=N enabled=true|false`; the judge\'s endpoint: `judge url="..." model="..."`. '
        "At most once per file.",
        'checks {\n  ${1:tests} command="${2:python -m pytest -q}"\n}',
        kind="checks",
        shape="settings",
        grammar_rule="checks_block",
    ),
    BlockSpec(
        "score",
        '**score** `{ ... }` — hand scores: `NAME POINTS "comment"`, points on the scale. '
        "Any number of blocks; the latest entry for a criterion wins.",
        kind="score",
        shape="scores",
        grammar_rule="score_block",
        once=False,
    ),
    BlockSpec(
        "critique",
        '**critique** `{ ... }` — what to improve next: `revise NAME "what to change"`, '
        "aimed at the weakest criteria.",
        'critique {\n  revise ${1:criterion} "${2:what to change}"\n}',
        kind="critique",
        shape="critiques",
        grammar_rule="critique_block",
        once=False,
    ),
    BlockSpec(
        "rescore",
        "**rescore** `{ ... }` — scores after a revision, written like `score`; "
        "the latest entry for a criterion wins.",
        kind="rescore",
        shape="scores",
        grammar_rule="rescore_block",
        once=False,
    ),
    BlockSpec(
        "accept_if",
        "**accept_if** `{ ... }` — the change is accepted when every rule holds: "
        "`total_gte N`, `minimum NAME N`, `weighted_gte X`. At most once per file.",
        "accept_if {\n  weighted_gte ${1:0.8}\n}",
        kind="accept_if",
        shape="rules",
        grammar_rule="accept_block",
    ),
    BlockSpec(
        "review_if",
        "**review_if** `{ ... }` — flags a result for a person to review: "
        "`weighted_between A B`. At most once per file.",
        "review_if {\n  weighted_between ${1:0.5} ${2:0.7}\n}",
        kind="review_if",
        shape="rules",
        grammar_rule="review_block",
    ),
)

TASK_FIELDS: dict[str, FieldSpec] = _by_name(
    FieldSpec("title", '**title** `"..."` — a one-line name for the task.', 'title "$1"'),
    FieldSpec(
        "objective", '**objective** `"..."` — what the change must achieve.', 'objective "$1"'
    ),
    FieldSpec(
        "constraints",
        '**constraints** `"..."` — what the change must not do; may be given more than once.',
        'constraints "$1"',
        repeatable=True,
    ),
)

# The entries of reward_rubric; the grammar makes both keywords.
RUBRIC_ENTRIES: dict[str, Word] = _by_name(
    Word(
        "criterion",
        "**criterion** `NAME weight=N check=NAME` — one thing the change is scored on. "
        "`weight` is a positive number (default 1); `check=` binds a built-in critic that "
        "measures it, otherwise it is scored by hand.",
        "criterion ${1:name} weight=${2:1}",
    ),
    Word(
        "scale",
        "**scale** `LOW..HIGH` — the range of points a criterion can get, integers with "
        "LOW < HIGH; default `0..5`.",
        "scale ${1:0..5}",
    ),
)

CRITERION_ATTRIBUTES: dict[str, FieldSpec] = _by_name(
    FieldSpec(
        "weight",
        "**weight**`=N` — how much a criterion counts in the weighted score: "
        "Σ(weight · score) / Σ weight. A positive number, default 1; keep weights small and "
        "balanced, as large single weights invite reward hacking.",
        value="positive-number",
        problem="weight must be a positive number, not {raw}",
        problem_code="invalid-weight",
    ),
    FieldSpec(
        "check",
        "**check**`=NAME` — the built-in critic that measures this criterion "
        "(`tests`, `coverage`, `pylint`, ...); `check=judge` has a model judge it from its "
        "`describe` text; `check=manual` means it is scored by hand.",
        value="check-name",
        problem="check= takes a check name such as pylint, not {raw}",
    ),
    FieldSpec(
        "describe",
        '**describe**`="..."` — one line on what a good change does for this criterion: '
        "hover and completion show it, and a `check=judge` criterion is judged by it.",
        value="string",
        problem='describe= takes a quoted string, e.g. describe="handles empty input"',
    ),
    FieldSpec(
        "min_agreement",
        "**min_agreement**`=X` — a calibration gate: until this criterion's measured points "
        "agree with people's labels (quadratic-weighted Cohen's kappa, `rubric calibrate`) "
        "at X or more on at least `min_labels` labelled items, it is reported but left out "
        "of `accept_if` and the weighted score. A number in (0, 1]; default 0.6 when only "
        "`min_labels` is given.",
        value="fraction",
        problem="min_agreement takes a kappa in (0, 1], e.g. min_agreement=0.6, not {raw}",
    ),
    FieldSpec(
        "min_labels",
        "**min_labels**`=N` — how many labelled items the calibration gate needs before "
        "`min_agreement` is trusted. A positive whole number; default 30 when only "
        "`min_agreement` is given.",
        value="positive-integer",
        problem="min_labels takes a positive whole number, e.g. min_labels=30, not {raw}",
    ),
)

# A calibration gate's defaults when a criterion gives only one of its two attributes.
DEFAULT_MIN_AGREEMENT = 0.6
DEFAULT_MIN_LABELS = 30


def _setting(key: str, value: ValueShape, problem: str) -> FieldSpec:
    return FieldSpec(key, f"**{key}**`=` — {CHECK_SETTINGS[key]}", value=value, problem=problem)


# The settings of an entry in a checks block; what each does is said where critics run them.
CHECK_SETTING_FIELDS: dict[str, FieldSpec] = _by_name(
    _setting(
        "command", "string", 'command= takes a quoted string, e.g. command="python -m pytest -q"'
    ),
    _setting(
        "timeout", "positive-number", "timeout= takes a positive number of seconds, not {raw}"
    ),
    _setting("repeat", "positive-integer", "repeat= takes a positive whole number, not {raw}"),
    _setting("enabled", "boolean", "enabled= takes true or false, not {raw}"),
    _setting("allow", "string", 'allow= takes a quoted string, e.g. allow="i,j,k,x,y"'),
    _setting("url", "string", 'url= takes a quoted string, e.g. url="http://127.0.0.1:8080/v1"'),
    _setting("model", "string", 'model= takes a quoted string, e.g. model="qwen2.5-coder"'),
)

CRITIQUE_VERBS: dict[str, Word] = _by_name(
    Word(
        "revise",
        '**revise** `NAME "what to change"` — asks the next attempt to raise this criterion.',
    ),
)

RULES: dict[str, RuleSpec] = _by_name(
    RuleSpec(
        "total_gte",
        "**total_gte** `N` — holds when the sum of all criteria's points is at least N.",
        "total_gte ${1:N}",
        measure="total",
        example="total_gte 27",
    ),
    RuleSpec(
        "minimum",
        "**minimum** `NAME N` — holds when that criterion's points are at least N; "
        "fails when it is unscored.",
        measure="points",
        example="minimum correctness 4",
    ),
    RuleSpec(
        "weighted_gte",
        "**weighted_gte** `X` — holds when the weighted score is at least X, "
        "in [0, 1] (`80%` is 0.8).",
        "weighted_gte ${1:0.8}",
        measure="weighted",
        example="weighted_gte 0.8",
    ),
    RuleSpec(
        "weighted_between",
        "**weighted_between** `A B` — in `review_if`: flags a weighted score in [A, B] "
        "for a person to review.",
        "weighted_between ${1:0.5} ${2:0.7}",
        block="review_if",
        measure="weighted",
        compare="between",
        example="weighted_between 0.5 0.7",
    ),
)


def rules_of(block: str) -> dict[str, RuleSpec]:
    """The rules one block (accept_if or review_if) takes, in order."""
    return {name: rule for name, rule in RULES.items() if rule.block == block}


# Words that are keywords wherever the grammar expects one: never a value after key=.
RESERVED = frozenset({*BLOCKS, *RUBRIC_ENTRIES})

_WORD_DOCS: dict[str, str] = {
    word.name: word.doc
    for table in (BLOCKS, TASK_FIELDS, RUBRIC_ENTRIES, CRITERION_ATTRIBUTES, RULES, CRITIQUE_VERBS)
    for word in table.values()
}


def word_doc(word: str, block: str | None = None, is_attribute: bool = False) -> str | None:
    """The hover text of a keyword, field or attribute key as it stands in ``block``."""
    if is_attribute and block == "checks" and word in CHECK_SETTING_FIELDS:
        return CHECK_SETTING_FIELDS[word].doc
    return _WORD_DOCS.get(word)
