"""Token roles and completion slots of half-typed text, without a server."""

from __future__ import annotations

import random

import pytest
from support import SEEDS, WORKFLOW

from rubric_lsp.language.context import (
    LineIndex,
    _run,
    context_at,
    restart_point,
    token_at,
    token_at_offset,
    tokens,
)
from rubric_lsp.language.model import Position
from rubric_lsp.language.parser import parse


def slot(text: str) -> str:
    """The slot at the '|' marker."""
    return context_at(text.replace("|", ""), text.index("|")).slot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("|", "block-keyword"),
        ("sco|", "block-keyword"),
        ("reward_rubric { criterion a }\n|", "block-keyword"),
        ("reward_rubric |", "none"),  # '{' comes next
        ("task {\n  |", "task-field"),
        ("task {\n  title |", "none"),  # a string comes next
        ('task { title "x" ob|', "task-field"),
        ("reward_rubric {\n  |", "rubric-entry"),
        ("reward_rubric {\n  criterion |", "none"),  # a new name
        ("reward_rubric {\n  criterion a |", "criterion-attribute"),
        ("reward_rubric {\n  criterion a\n  |", "rubric-entry"),
        ("reward_rubric {\n  criterion a weight=5 check=|", "check-name"),
        ("reward_rubric {\n  criterion a check = py|", "check-name"),
        ("reward_rubric {\n  criterion a weight=|", "none"),
        # A key whose value is forgotten does not take the next line as its value.
        ("reward_rubric {\n  criterion a weight=\n  |", "rubric-entry"),
        ("reward_rubric {\n  scale 0..5\n  cri|", "rubric-entry"),
        ("checks {\n  |", "checks-entry"),
        ("checks {\n  tests |", "check-setting"),
        ("checks {\n  tests enabled=|", "boolean"),
        ("checks {\n  tests timeout=30\n  |", "checks-entry"),
        ("score {\n  |", "criterion-name"),
        ("score {\n  a |", "none"),  # points come next
        ("score {\n  a 4 |", "none"),  # a comment may follow on this line
        ('score {\n  a 4 "x"\n  |', "criterion-name"),
        ("score {\n  a 4\n  |", "criterion-name"),
        ("rescore { a 4 b|", "criterion-name"),
        ("critique {\n  |", "critique-verb"),
        ("critique {\n  revise |", "criterion-name"),
        ('critique {\n  revise a "why"\n  |', "critique-verb"),
        ("accept_if {\n  |", "rule-keyword"),
        ("accept_if {\n  minimum |", "criterion-name"),
        ("accept_if {\n  total_gte |", "none"),
        ("accept_if {\n  minimum a 4\n  |", "rule-keyword"),
        ("review_if { weighted_between 0.5 0.7\n  |", "rule-keyword"),
        ("mystery {\n  |", "none"),
        ('task { title "an open string |', "none"),
        ('task { title "escaped \\" quote |', "none"),
        ("# a comment |", "none"),
        ("score {\n  a 4 # note |", "none"),
        ("score {\n  4|", "none"),  # a number is being typed
        # A block whose '}' is missing ends where the next one opens.
        ("reward_rubric {\n  criterion a\nscore {\n  |", "criterion-name"),
        ("reward_rubric {\n  criterion a\n  sco|", "rubric-entry"),
    ],
)
def test_slots(text: str, expected: str) -> None:
    assert slot(text) == expected


def test_context_reports_prefix_block_and_used_names() -> None:
    text = "score {\n  a 4\n  b 3\n  c|"
    where = context_at(text.replace("|", ""), text.index("|"))
    assert where.block == "score"
    assert where.prefix == "c"
    assert where.start == text.index("c|")
    assert where.used_names == ("a", "b")


def test_used_attribute_keys() -> None:
    text = "reward_rubric { criterion a weight=2 |"
    assert context_at(text.replace("|", ""), text.index("|")).used_keys == ("weight",)


def test_roles() -> None:
    text = (
        'task { title "t" }\n'
        "reward_rubric { criterion a weight=2 check=pylint  # c\n"
        "  scale 0..5 }\n"
        'score { a 4 "ok" }\n'
        "critique { revise a }\n"
        "accept_if { minimum a 4 total_gte 3 }\n"
        "checks { tests timeout=5 }\n"
        "nope { x }\n"
    )
    roles = [(t.text, t.role) for t in tokens(text) if t.role not in ("brace",)]
    assert roles == [
        ("task", "block"), ("title", "field"), ('"t"', "string"),
        ("reward_rubric", "block"), ("criterion", "keyword"), ("a", "definition"),
        ("weight=", "attribute"), ("2", "number"), ("check=", "attribute"), ("pylint", "check"),
        ("# c", "comment"), ("scale", "keyword"), ("0..5", "number"),
        ("score", "block"), ("a", "reference"), ("4", "number"), ('"ok"', "string"),
        ("critique", "block"), ("revise", "verb"), ("a", "reference"),
        ("accept_if", "block"), ("minimum", "rule"), ("a", "reference"), ("4", "number"),
        ("total_gte", "rule"), ("3", "number"),
        ("checks", "block"), ("tests", "check"), ("timeout=", "attribute"), ("5", "number"),
        ("nope", "unknown-block"), ("x", "value"),
    ]  # fmt: skip


def test_roles_agree_with_the_parser_on_criterion_names() -> None:
    """On valid files, definition/reference tokens are exactly the symbol table's names."""
    for path in SEEDS.glob("*.rubric"):
        text = path.read_text()
        document = parse(text)
        index = LineIndex(text)
        by_roles = sorted(
            (index.position(t.start), t.role == "definition")
            for t in tokens(text)
            if t.role in ("definition", "reference")
        )
        by_parser = sorted(
            (o.name.range.start, o.is_definition) for o in document.symbols.occurrences
        )
        assert by_roles == by_parser, path.name


def test_tokens_cover_any_text() -> None:
    rng = random.Random(3)
    alphabet = 'reward_rubric{}"=#\n .%x09-\x00é😀\r\\'
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        found = tokens(text)
        assert all(text[t.start : t.end] == t.text for t in found)
        for offset in range(len(text) + 1):
            context_at(text, offset)


def test_token_at_and_line_index() -> None:
    text = "score {\n  tests 4\n}\n"
    found = tokens(text)
    assert token_at(found, text.index("tests") + 5) is not None
    assert token_at(found, 0) is not None and token_at(found, 0).text == "score"  # type: ignore[union-attr]
    index = LineIndex(text)
    assert index.position(text.index("tests")) == Position(1, 2)
    assert index.offset(Position(1, 99)) == text.index("\n}")
    assert index.offset(Position(99, 0)) == len(text)
    assert index.line_text(1) == "  tests 4"


def test_restarting_at_a_block_gives_the_same_answers_as_scanning_from_the_top() -> None:
    rng = random.Random(11)
    alphabet = [
        "score {",
        "reward_rubric {",
        "}",
        "\n",
        " ",
        "a",
        "criterion",
        "weight=",
        '"x',
        '"',
        "#",
        "5",
        "revise",
        "minimum",
    ]
    texts = [WORKFLOW] + ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(150)]
    for text in texts:
        every = tokens(text)
        for offset in range(0, len(text) + 1, 3):
            where = context_at(text, offset)
            machine = _run(text, where.start)
            assert restart_point(text, offset) <= offset
            full = machine.context(
                text.count("\n", 0, where.start), where.prefix, where.start, where.slot == "none"
            )
            if where.slot != "none":
                assert (where.slot, where.block, where.used_names) == (
                    full.slot,
                    full.block,
                    full.used_names,
                ), (text, offset)
            token, _ = token_at_offset(text, offset)
            expected = token_at(every, offset)
            assert token == expected, (text, offset)
