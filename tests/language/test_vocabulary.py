"""The vocabulary, the grammar and the docs describe the same language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from rubric_lsp.language.context import LineIndex, Token, tokens
from rubric_lsp.language.mentions import mentions
from rubric_lsp.language.model import Document
from rubric_lsp.language.parser import grammar_text, lark_parser, parse
from rubric_lsp.language.validate import validate
from rubric_lsp.language.vocabulary import (
    BLOCKS,
    CHECK_SETTING_FIELDS,
    CRITERION_ATTRIBUTES,
    CRITIQUE_VERBS,
    RESERVED,
    RUBRIC_ENTRIES,
    RULES,
    TASK_FIELDS,
)

DOCS = (Path(__file__).parents[2] / "docs" / "language.md").read_text(encoding="utf-8")
RUBRIC = "reward_rubric {\n  criterion correctness\n  criterion tests\n}\n"


def test_the_grammar_keywords_are_the_vocabulary_keywords() -> None:
    name = re.compile(r"[A-Za-z_]+\Z")
    keywords = {
        terminal.pattern.value
        for terminal in lark_parser().terminals
        if terminal.pattern.type == "str" and name.match(terminal.pattern.value)
    }
    assert keywords == RESERVED


def test_every_block_rule_of_the_grammar_is_a_vocabulary_block() -> None:
    rules = set(re.findall(r"^(\w+_block):", grammar_text(), re.MULTILINE)) - {"unknown_block"}
    assert rules == {block.grammar_rule for block in BLOCKS.values()}


@pytest.mark.parametrize("name", list(BLOCKS))
def test_each_block_parses_to_its_kind(name: str) -> None:
    document = parse(f"{name} {{ }}\n")
    assert [block.kind for block in document.blocks] == [BLOCKS[name].kind]


@pytest.mark.parametrize("name", list(BLOCKS))
def test_a_second_block_is_an_error_only_where_the_vocabulary_says_once(name: str) -> None:
    text = RUBRIC + ("" if name == "reward_rubric" else f"{name} {{ }}\n") + f"{name} {{ }}\n"
    codes = [d.code for d in validate(parse(text))]
    assert ("duplicate-block" in codes) == BLOCKS[name].once


@pytest.mark.parametrize(
    "word",
    [
        *BLOCKS,
        *TASK_FIELDS,
        *RUBRIC_ENTRIES,
        *CRITERION_ATTRIBUTES,
        *CHECK_SETTING_FIELDS,
        *CRITIQUE_VERBS,
        *RULES,
    ],
)
def test_every_word_is_in_the_language_reference(word: str) -> None:
    assert re.search(rf"`[^`\n]*\b{word}\b[^`\n]*`", DOCS)


@pytest.mark.parametrize("name", list(RULES))
def test_each_rule_example_is_valid_in_its_block(name: str) -> None:
    rule = RULES[name]
    # A scale on which the examples' totals are reachable.
    text = RUBRIC.replace("{\n", "{\n  scale 0..20\n", 1) + f"{rule.block} {{ {rule.example} }}\n"
    assert [d.code for d in validate(parse(text))] == []


def test_the_editor_lexes_with_the_parser_terminals() -> None:
    text = (
        'task { title "a \\"b\\"" }\nreward_rubric { scale -1..5 criterion x weight = 2.5 }\n'
        "accept_if { weighted_gte 80% minimum x .5 }\n"
    )
    keyword_types = {keyword.upper() for keyword in RESERVED}
    from_lark = [
        ("NAME" if token.type in keyword_types else token.type, str(token))
        for token in lark_parser().lex(text)
    ]
    assert [(token.type, token.text) for token in tokens(text)] == from_lark


@dataclass
class _Text:
    """A text with its parse, tokens and line index, as an editor snapshot has them."""

    text: str

    @cached_property
    def document(self) -> Document:
        """The parsed model."""
        return parse(self.text)

    @cached_property
    def tokens(self) -> list[Token]:
        """The tokens with their roles."""
        return tokens(self.text)

    @cached_property
    def index(self) -> LineIndex:
        """Line starts."""
        return LineIndex(self.text)


TOUR = (
    RUBRIC
    + 'score { correctness 4 tests 3 }\ncritique { revise tests "more" }\n'
    + "accept_if { minimum tests 3 }\n"
)


def test_mentions_from_the_model_and_from_the_tokens_agree() -> None:
    valid = _Text(TOUR)
    assert not valid.document.syntax_errors
    from_model = mentions(valid)
    # A syntax error at the end sends mentions() to the token roles for the same names.
    broken = _Text(TOUR + "score { tests }\n")
    assert broken.document.syntax_errors
    assert mentions(broken)[: len(from_model)] == from_model
    assert [(m.text, m.is_definition) for m in from_model] == [
        ("correctness", True),
        ("tests", True),
        ("correctness", False),
        ("tests", False),
        ("tests", False),
        ("tests", False),
    ]
