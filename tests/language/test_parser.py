"""The parser: model shape, positions, error recovery and hostile input."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SEED_FILES, WORKFLOW
from support.mutations import SOUP, mutate

from rubric_lsp.language.model import Criterion, Position, Rule, ScoreEntry
from rubric_lsp.language.parser import MAX_DOCUMENT_CHARS, MAX_SYNTAX_ERRORS, parse
from rubric_lsp.language.validate import validate


def test_one_line_block_equals_multi_line() -> None:
    one = parse("accept_if { total_gte 27  minimum correctness 4  weighted_gte 0.8 }")
    many = parse("accept_if {\n  total_gte 27\n  minimum correctness 4\n  weighted_gte 0.8\n}\n")
    shapes = [
        [
            (r.keyword.text, r.target.text if r.target else None, [a.raw for a in r.arguments])
            for r in doc.blocks[0].entries
            if isinstance(r, Rule)
        ]
        for doc in (one, many)
    ]
    assert (
        shapes[0]
        == shapes[1]
        == [
            ("total_gte", None, ["27"]),
            ("minimum", "correctness", ["4"]),
            ("weighted_gte", None, ["0.8"]),
        ]
    )


def test_ranges_are_zero_based_code_points() -> None:
    document = parse('score {\n  tests 3 "café ☕"\n  style 4\n}\n')
    entry = document.blocks[0].entries[1]
    assert isinstance(entry, ScoreEntry)
    assert entry.name.range.start == Position(2, 2)
    assert entry.name.range.end == Position(2, 7)
    first = document.blocks[0].entries[0]
    assert isinstance(first, ScoreEntry) and first.comment is not None
    assert first.comment.text == "café ☕"
    assert first.comment.range.end == Position(1, 18)


def test_string_escapes() -> None:
    document = parse(r'task { title "say \"hi\" \\ bye" }')
    field = document.blocks[0].entries[0]
    assert field.value.text == 'say "hi" \\ bye'  # type: ignore[attr-defined]


def test_crlf_and_tabs() -> None:
    document = parse("reward_rubric {\r\n\tcriterion a weight=2\r\n\tcriterion b\r\n}\r\n")
    assert not document.syntax_errors
    criteria = document.criteria
    assert [c.name.text for c in criteria] == ["a", "b"]
    assert criteria[1].name.range.start == Position(2, 11)


def test_symbol_table_links_definitions_and_references() -> None:
    source = WORKFLOW
    symbols = parse(source).symbols
    refs = symbols.references("tests")
    assert sum(o.is_definition for o in refs) == 1
    assert {o.block.kind for o in refs} == {
        "reward_rubric",
        "score",
        "critique",
        "rescore",
        "accept_if",
    }
    at = symbols.at(refs[-1].name.range.start)
    assert at is not None and at.name.text == "tests"


def test_several_independent_errors_are_all_reported() -> None:
    source = (
        "reward_rubric {\n"
        "  criterion correctness weight=\n"  # value missing
        "  criterion tests weight=5\n"
        "}\n"
        "score {\n"
        "  tests x\n"  # not a number
        "  correctness 4\n"
        "}\n"
        "accept_if { total_gte }\n"  # number missing
    )
    errors = [
        (d.range.start.line + 1, d.range.start.character + 1) for d in parse(source).syntax_errors
    ]
    assert errors == [(2, 25), (6, 9), (9, 23)]
    document = parse(source)
    assert [b.kind for b in document.blocks] == ["reward_rubric", "score", "accept_if"]


def test_missing_brace_before_next_block() -> None:
    document = parse("reward_rubric {\n  criterion a\nscore { a 4 }\n")
    assert [b.kind for b in document.blocks] == ["reward_rubric", "score"]
    (error,) = document.syntax_errors
    assert error.range.start == Position(2, 0)
    assert "missing '}' to close 'reward_rubric' opened on line 1" in error.message


def test_missing_brace_at_end_keeps_the_block() -> None:
    document = parse("reward_rubric {\n  criterion a\n  criterion b")
    assert [c.name.text for c in document.criteria] == ["a", "b"]
    assert document.syntax_errors[0].message.startswith("missing '}'")


def test_unterminated_string_does_not_swallow_the_file() -> None:
    document = parse('task { title "abc }\nreward_rubric { criterion a }\n')
    assert [d.code for d in document.syntax_errors] == ["unterminated-string", "syntax-error"]
    assert [c.name.text for c in document.criteria] == ["a"]


def test_hostile_inputs_end_in_diagnostics() -> None:
    inputs = [
        "\x00" * 50,
        "{" * 5000 + "}" * 10,
        "}" * 5000,
        "reward_rubric {" * 2000,
        bytes(range(256)).decode("latin-1") * 20,
        '"' * 1001,
        "score { a 1e99999 }",
    ]
    for text in inputs:
        document = parse(text)
        diagnostics = validate(document)
        assert diagnostics, repr(text[:20])
        assert len(document.syntax_errors) <= MAX_SYNTAX_ERRORS + 1


def test_too_many_errors_stops() -> None:
    text = "\n".join("}" for _ in range(MAX_SYNTAX_ERRORS * 2))
    codes = [d.code for d in parse(text).syntax_errors]
    assert codes.count("syntax-error") == MAX_SYNTAX_ERRORS
    assert codes[-1] == "too-many-errors"


def test_file_too_large() -> None:
    text = "# x\n" * (MAX_DOCUMENT_CHARS // 4 + 1)
    (error,) = validate(parse(text))
    assert error.code == "file-too-large"


def test_seed_examples_parse_cleanly() -> None:
    assert SEED_FILES
    for path in SEED_FILES:
        document = parse(path.read_text())
        assert document.syntax_errors == []
        assert all(isinstance(c, Criterion) for c in document.criteria)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(SEED_FILES))
def test_mutated_valid_files_never_raise(seed: int, path: Path) -> None:
    text = mutate(path.read_text(), random.Random(seed))
    validate(parse(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_random_text_never_raises(text: str) -> None:
    validate(parse(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=60))
def test_token_soup_never_raises(tokens: list[str]) -> None:
    validate(parse(" ".join(tokens)))


def test_lines_split_only_at_newlines() -> None:
    document = parse("score { a 1 }\f\nrescore { a 2 }\r\n")
    assert document.lines == ["score { a 1 }\f", "rescore { a 2 }", ""]
    assert document.blocks[1].keyword.range.start == Position(1, 0)


def test_file_ending_inside_an_entry_keeps_every_block() -> None:
    for text in (
        "reward_rubric { criterion a }\nscore {\n  a",
        "reward_rubric { criterion a }\ncritique {\n  revise ",
        "reward_rubric { criterion a weight=",
        "reward_rubric { criterion a }\naccept_if { minimum a",
    ):
        document = parse(text)
        assert [c.name.text for c in document.criteria] == ["a"], text
        assert len(document.syntax_errors) == 1, (text, document.syntax_errors)
        assert document.syntax_errors[0].message.startswith(
            ("unexpected end of file", "missing")
        ), text
