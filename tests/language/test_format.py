"""The formatter: canonical layout, comments kept, idempotence and meaning preserved."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SEED_FILES

from rubric_lsp.language.format import (
    RangeEdit,
    format_document,
    format_document_range,
    format_range,
    format_text,
)
from rubric_lsp.language.lines import LINE_BREAK, LineIndex, dominant_line_ending
from rubric_lsp.language.model import Document, Position, Range
from rubric_lsp.language.parser import parse

CASES = Path(__file__).parent / "format_cases"
HEADER = re.compile(r"[A-Za-z_][A-Za-z0-9_]* \{( #.*)?$")


def project(node: object) -> object:
    """The model with every source range left out, so layouts compare equal."""
    if isinstance(node, Range | Position):
        return None
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return {
            "type": type(node).__name__,
            **{
                item.name: project(getattr(node, item.name))
                for item in dataclasses.fields(node)
                if not isinstance(getattr(node, item.name), Range)
            },
        }
    if isinstance(node, tuple) and hasattr(node, "_fields"):  # NamedTuple nodes
        return {
            "type": type(node).__name__,
            **{
                key: project(value)
                for key, value in zip(node._fields, node, strict=True)
                if not isinstance(value, Range)
            },
        }
    if isinstance(node, tuple | list):
        return [project(item) for item in node]
    return node


def meaning(document: Document) -> object:
    """What a document says: its blocks without positions."""
    return project(document.blocks)


def comment_texts(document: Document) -> list[str]:
    """Comment texts in order; the formatter drops their trailing whitespace."""
    return [comment.text.rstrip() for comment in document.comments]


def assert_sound(text: str) -> str:
    """Format ``text`` and check every promise the formatter makes about the result."""
    before = parse(text)
    assert not before.syntax_errors, before.syntax_errors
    formatted = format_text(text)
    assert formatted is not None
    after = parse(formatted)
    assert not after.syntax_errors, (formatted, after.syntax_errors)
    assert meaning(after) == meaning(before)
    assert comment_texts(after) == comment_texts(before)
    assert format_text(formatted) == formatted
    if formatted:
        assert formatted.endswith(("\n", "\r")) and not formatted.endswith(("\n\n", "\r\r"))
        newline = dominant_line_ending(formatted)
        assert formatted.endswith(newline)
        body = formatted.split(newline)[:-1]
        assert all("\r" not in line for line in body)
        assert "" not in (body[0], body[-1])
        for line in body:
            assert not line.endswith((" ", "\t")), line
            indent = len(line) - len(line.lstrip(" "))
            assert indent in (0, 2) and not line.lstrip(" ").startswith("\t"), line
        for line, following in itertools.pairwise(body):
            assert line or following, "two blank lines in a row"
            if HEADER.match(line):
                assert following, "blank line after '{'"
            if following.startswith("}"):
                assert line, "blank line before '}'"
    return formatted


def test_project_sees_a_changed_value() -> None:
    """The comparison the other tests rely on can tell two documents apart."""
    one = parse("score { tests 4 }")
    two = parse("score {\n  tests 5\n}")
    assert meaning(one) != meaning(two)
    assert meaning(one) == meaning(parse("score {\n\ttests   4 }"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.name)
def test_seed_examples_format_to_themselves(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert assert_sound(text) == text
    assert assert_sound(text.rstrip("\n")) == text


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.name)
def test_seed_blocks_one_at_a_time(path: Path) -> None:
    """Each seed block, as the seed shows it alone, is already canonical."""
    text = path.read_text(encoding="utf-8")
    for block in parse(text).blocks:
        source = "\n".join(text.split("\n")[block.range.start.line : block.range.end.line + 1])
        assert format_text(source) == source + "\n"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.name)
def test_seed_examples_squashed_onto_one_line(path: Path) -> None:
    """A seed file with every line break and indent turned into spaces comes back whole."""
    text = path.read_text(encoding="utf-8")
    squashed = " ".join(text.split())
    formatted = assert_sound(squashed)
    # Only the blank lines between blocks are lost, as the squashed text has none.
    assert formatted == text.replace("\n\n", "\n")


def test_seed_examples_with_crlf_and_tabs() -> None:
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        messy = text.replace("  ", "\t").replace("\n", "\r\n")
        assert assert_sound(messy) == text.replace("\n", "\r\n")


HAND_CASES = {
    "one-line block": (
        "accept_if { total_gte 27  minimum correctness 4  weighted_gte 0.8 }",
        "accept_if {\n  total_gte 27\n  minimum correctness 4\n  weighted_gte 0.8\n}\n",
    ),
    "empty blocks": (
        "task {}\nscore {\n\n}\n",
        "task {\n}\nscore {\n}\n",
    ),
    "blocks sharing a line": (
        "task { } score { a 1 } rescore { a 2 }",
        "task {\n}\nscore {\n  a 1\n}\nrescore {\n  a 2\n}\n",
    ),
    "blank lines collapsed, none after { or before }": (
        "\n\nscore {\n\n\n  a 1\n\n\n\n  b 2\n\n}\n\n\n\nrescore {\n  a 3\n}\n\n\n",
        "score {\n  a 1\n\n  b 2\n}\n\nrescore {\n  a 3\n}\n",
    ),
    "attribute spacing and tabs": (
        "reward_rubric {\n\tcriterion   style\tweight = 2   check =pylint\n  scale\t0..10\n}",
        "reward_rubric {\n  criterion style weight=2 check=pylint\n  scale 0..10\n}\n",
    ),
    "literals kept as written": (
        'checks { tests command="say \\"hi\\" \\\\ # {not} a comment" timeout=300.0 }\n'
        "accept_if { total_gte +27 weighted_gte .80 }\nreview_if { weighted_between 50% 70% }",
        "checks {\n"
        '  tests command="say \\"hi\\" \\\\ # {not} a comment" timeout=300.0\n'
        "}\n"
        "accept_if {\n  total_gte +27\n  weighted_gte .80\n}\n"
        "review_if {\n  weighted_between 50% 70%\n}\n",
    ),
    "entry split over lines is joined": (
        "reward_rubric {\n  criterion correctness\n      weight=5\n      check=tests\n}\n",
        "reward_rubric {\n  criterion correctness weight=5 check=tests\n}\n",
    ),
    "trailing comments": (
        "score {   # hand scores\n  a 1    # low\n  b 2\t# fine   \n}  # end\n",
        "score { # hand scores\n  a 1 # low\n  b 2 # fine\n} # end\n",
    ),
    "own-line comments take the indent of what follows": (
        "# about the file\n\n  # about score\nscore {\n# first\n  a 1\n      # last\n}\n# after\n",
        "# about the file\n\n# about score\nscore {\n  # first\n  a 1\n  # last\n}\n# after\n",
    ),
    "comment after a one-line block": (
        "accept_if { total_gte 27 minimum tests 4 } # gate",
        "accept_if {\n  total_gte 27\n  minimum tests 4\n} # gate\n",
    ),
    "comments inside a split entry move above it": (
        "reward_rubric {\n  criterion style # why\n    # more\n    weight=2 # tail\n}\n",
        "reward_rubric {\n  # why\n  # more\n  criterion style weight=2 # tail\n}\n",
    ),
    "comment between keyword and brace": (
        "score # hand\n{\n  a 1\n}\n",
        "# hand\nscore {\n  a 1\n}\n",
    ),
    "comments only": (
        "  # one\n\n\n\t# two   \n",
        "# one\n\n# two\n",
    ),
    "empty document": ("", ""),
    "whitespace only": (" \n\t\n\r\n", ""),
    "unknown block and unknown field": (
        'extras {  alpha 1   "two"\n\n\n  3..4 25%  # note\n}\n'
        "reward_rubric { criterion a weigth=5 colour blue shade=2 }",
        'extras {\n  alpha 1 "two"\n\n  3..4 25% # note\n}\n'
        "reward_rubric {\n  criterion a weigth=5\n  colour blue shade=2\n}\n",
    ),
    "non-ascii text": (
        'task { title "café ☕ 😀" }  # naïve 😀',
        'task {\n  title "café ☕ 😀"\n} # naïve 😀\n',
    ),
    "crlf kept when dominant": (
        "score {\r\n  a 1\r\n\r\n\r\n  b 2 }\r\n",
        "score {\r\n  a 1\r\n\r\n  b 2\r\n}\r\n",
    ),
    "lf wins a tie or a minority of crlf": (
        "score {\r\n  a 1\n}",
        "score {\n  a 1\n}\n",
    ),
    "lone carriage returns end lines, as in LSP, and are kept": (
        'score { a 1 "x" # c\r# d\rb 2 }',
        'score {\r  a 1 "x" # c\r  # d\r  b 2\r}\r',
    ),
}


@pytest.mark.parametrize(("source", "expected"), HAND_CASES.values(), ids=HAND_CASES.keys())
def test_hand_cases(source: str, expected: str) -> None:
    assert assert_sound(source) == expected


def test_case_files() -> None:
    """Each ``*.in.rubric`` under format_cases formats to its ``*.out.rubric``."""
    inputs = sorted(CASES.glob("*.in.rubric"))
    assert inputs
    for path in inputs:
        expected = path.with_name(path.name.replace(".in.", ".out.")).read_bytes().decode()
        source = path.read_bytes().decode()
        assert assert_sound(source) == expected, path.name
        assert assert_sound(expected) == expected, path.name


@pytest.mark.parametrize(
    "source",
    [
        'score { a 1 "unterminated }',
        "score { a 1 ",
        "reward_rubric { criterion a weight= }",
        "score { a 1 } }",
        "score { a ? 1 }",
    ],
)
def test_syntax_errors_give_none(source: str) -> None:
    document = parse(source)
    assert document.syntax_errors
    assert format_text(source) is None
    assert format_document(document) is None
    assert format_range(source, 0, 10) == []


def test_format_document_matches_format_text() -> None:
    source = "score { a 1 b 2 } # x"
    assert format_document(parse(source)) == format_text(source)


def apply_edits(text: str, edits: list[RangeEdit]) -> str:
    """Apply line edits as an editor would, last first so line numbers stay valid."""
    for edit in sorted(edits, reverse=True):
        index = LineIndex(text)
        start, end = index.starts[edit.start_line], index.ends[edit.end_line]
        text = text[:start] + edit.new_text + text[end:]
    return text


RANGE_SOURCE = (
    "# head\n"
    'task { title "t" }\n'  # line 1
    "\n"
    "score {\n"  # line 3
    "    a 1   # low\n"
    "}\n"
    "rescore { a 2 } accept_if {\n"  # line 6: two blocks share a line
    "total_gte 3 }\n"
    "review_if {\n"  # line 8: already canonical
    "  weighted_between 0.5 0.7\n"
    "}\n"
)


def test_format_range_formats_whole_blocks_touching_the_range() -> None:
    edits = format_range(RANGE_SOURCE, 4, 4)
    assert edits == [RangeEdit(3, 5, "score {\n  a 1 # low\n}")]
    assert format_document_range(parse(RANGE_SOURCE), 4, 4) == edits


def test_format_range_merges_blocks_on_one_line() -> None:
    edits = format_range(RANGE_SOURCE, 7, 7)
    assert edits == [
        RangeEdit(6, 7, "rescore {\n  a 2\n}\naccept_if {\n  total_gte 3\n}"),
    ]


def test_format_range_skips_canonical_blocks_and_lines_between() -> None:
    assert format_range(RANGE_SOURCE, 8, 10) == []
    assert format_range(RANGE_SOURCE, 0, 0) == []
    assert format_range(RANGE_SOURCE, 2, 2) == []
    assert [edit.start_line for edit in format_range(RANGE_SOURCE, 0, 100)] == [1, 3, 6]


def test_format_range_over_everything_then_format_agrees() -> None:
    edited = apply_edits(RANGE_SOURCE, format_range(RANGE_SOURCE, 0, 100))
    assert format_text(edited) == format_text(RANGE_SOURCE)
    assert edited == format_text(RANGE_SOURCE)


def test_format_range_keeps_crlf() -> None:
    source = "score { a 1 }\r\ntask {\r\n}\r\n"
    assert format_range(source, 0, 0) == [RangeEdit(0, 0, "score {\r\n  a 1\r\n}")]
    assert apply_edits(source, format_range(source, 0, 5)) == format_text(source)


# Names that the grammar never reads as keywords.
RESERVED = {
    "task",
    "reward_rubric",
    "checks",
    "score",
    "rescore",
    "critique",
    "accept_if",
    "review_if",
    "criterion",
    "scale",
}
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda name: name not in RESERVED
)
numbers = st.from_regex(r"[+-]?([0-9]{1,3}(\.[0-9]{0,2})?|\.[0-9]{1,2})", fullmatch=True)
percents = numbers.map(lambda number: number + "%")
ranges = st.from_regex(r"[0-9]{1,2}\.\.[0-9]{1,2}", fullmatch=True)
string_chars = st.sampled_from(["a", " ", "#", "{", "}", "=", "\t", "é", "😀", '\\"', "\\\\"])
strings = st.lists(string_chars, max_size=8).map(lambda chars: '"' + "".join(chars) + '"')
loose = st.one_of(numbers, percents, names, strings, ranges)
comment_text = st.lists(
    st.sampled_from(["x", " ", "#", '"', "{", "}", "\t", "☕", "😀"]), max_size=6
).map(lambda chars: "#" + "".join(chars))
spaces = st.sampled_from([" ", "  ", "\t", " \t ", "\f"])
breaks = st.sampled_from(["\n", "\n\n", "\n \n\t\n", "\r\n", "\r\n\r\n", "\r"])


@st.composite
def attributes(draw: st.DrawFn) -> str:
    """``key=value`` with the spacing the grammar allows (the value on the key's line)."""
    key, value = draw(names), draw(loose)
    return (
        key
        + draw(st.sampled_from(["", " ", "\t"]))
        + "="
        + draw(st.sampled_from(["", " "]))
        + value
    )


@st.composite
def separators(draw: st.DrawFn) -> str:
    """Whitespace between two tokens: spaces, line breaks, comments."""
    kind = draw(st.sampled_from(["space", "space", "break", "comment"]))
    if kind == "space":
        return draw(spaces)
    if kind == "break":
        return (
            draw(st.sampled_from(["", " ", "\t"]))
            + draw(breaks)
            + draw(st.sampled_from(["", "  ", "\t"]))
        )
    return (
        draw(st.sampled_from(["", " "]))
        + draw(comment_text)
        + draw(breaks)
        + draw(st.sampled_from(["", "  "]))
    )


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, max_size=1)


ENTRIES: dict[str, st.SearchStrategy[list[str]]] = {
    "task": st.tuples(names, strings).map(list),
    "reward_rubric": st.one_of(
        st.tuples(st.just("criterion"), names, st.lists(attributes(), max_size=3)).map(
            lambda parts: [parts[0], parts[1], *parts[2]]
        ),
        st.tuples(st.just("scale"), ranges).map(list),
        # With no value, an unknown field would take the next entry's name as its value.
        st.tuples(names, loose, st.lists(attributes(), max_size=2)).map(
            lambda parts: [parts[0], parts[1], *parts[2]]
        ),
    ),
    "checks": st.tuples(names, st.lists(attributes(), max_size=3)).map(
        lambda parts: [parts[0], *parts[1]]
    ),
    "score": st.tuples(names, numbers, optional(strings)).map(
        lambda parts: [parts[0], parts[1], *parts[2]]
    ),
    "critique": st.tuples(names, names, optional(strings)).map(
        lambda parts: [parts[0], parts[1], *parts[2]]
    ),
    "accept_if": st.tuples(
        names, optional(names), st.lists(st.one_of(numbers, percents), min_size=1, max_size=2)
    ).map(lambda parts: [parts[0], *parts[1], *parts[2]]),
}
ENTRIES["rescore"] = ENTRIES["score"]
ENTRIES["review_if"] = ENTRIES["accept_if"]


@st.composite
def blocks(draw: st.DrawFn) -> list[str]:
    """The tokens of one block, known or unknown, possibly empty."""
    kind = draw(st.sampled_from([*ENTRIES, "unknown"]))
    if kind == "unknown":
        return [draw(names), "{", *draw(st.lists(loose, max_size=5)), "}"]
    entries = draw(st.lists(ENTRIES[kind], max_size=4))
    return [kind, "{", *(token for entry in entries for token in entry), "}"]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A valid document with random layout: tokens joined by random separators."""
    tokens = [token for block in draw(st.lists(blocks(), max_size=4)) for token in block]
    out = [draw(st.sampled_from(["", "\n", "# top\n", "\n\n  "]))]
    for index, token in enumerate(tokens):
        if index:
            out.append(draw(separators()))
        out.append(token)
    if tokens:
        out.append(draw(st.sampled_from(["", "\n", "\n\n", " # end", "\n# end\n\n", "\r\n"])))
    return "".join(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_formatting_is_idempotent_and_keeps_meaning(text: str) -> None:
    assert_sound(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.integers(0, 40), st.integers(0, 40))
def test_range_formatting_agrees_with_whole_formatting(text: str, first: int, span: int) -> None:
    edits = format_range(text, first, first + span)
    edited = apply_edits(text, edits)
    assert meaning(parse(edited)) == meaning(parse(text))
    assert comment_texts(parse(edited)) == comment_texts(parse(text))
    whole, after_edits = format_text(text), format_text(edited)
    assert whole is not None and after_edits is not None
    if len({match.group() for match in LINE_BREAK.finditer(text)}) > 1:
        # With mixed line endings the edits can tip which one is dominant.
        whole, after_edits = (LINE_BREAK.sub("\n", whole), LINE_BREAK.sub("\n", after_edits))
    assert after_edits == whole
