"""Chunk-wise re-parsing gives exactly the whole-file parse, and reuses unchanged blocks."""

from __future__ import annotations

import random

import pytest
from support import SEEDS, WORKFLOW

from rubric_lsp.language import parser
from rubric_lsp.language.validate import validate
from rubric_lsp.lsp.incremental import ChunkedParser, chunks


def _same(document: parser.Document, text: str) -> None:
    whole = parser.parse(text)
    assert document.blocks == whole.blocks
    assert document.comments == whole.comments
    assert document.syntax_errors == whole.syntax_errors
    assert validate(document) == validate(whole)


def _edit(text: str, rng: random.Random) -> str:
    index = rng.randrange(len(text) + 1)
    action = rng.choice(["insert", "delete", "newline", "digit"])
    if action == "insert":
        return (
            text[:index]
            + rng.choice(["x", " ", "{", "}", '"', "#", "é😀", "score {"])
            + text[index:]
        )
    if action == "delete":
        return text[:index] + text[index + rng.randint(1, 5) :]
    if action == "newline":
        return text[:index] + "\n" + text[index:]
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    if not digits:
        return text
    at = rng.choice(digits)
    return text[:at] + str(rng.randrange(10)) + text[at + 1 :]


@pytest.mark.parametrize("seed", range(6))
def test_successive_edits_parse_like_the_whole_file(seed: int) -> None:
    rng = random.Random(seed)
    texts = [path.read_text() for path in sorted(SEEDS.glob("*.rubric"))]
    text = "\n".join(texts) + "# the end\n"
    chunked = ChunkedParser()
    for _ in range(80):
        _same(chunked.parse(text), text)
        text = _edit(text, rng)


def test_an_edit_inside_one_block_parses_only_that_block(parsed: list[str]) -> None:
    chunked = ChunkedParser()
    chunked.parse(WORKFLOW)
    first = len(parsed)
    edited = WORKFLOW.replace("tests 5\n", "tests 4\n")
    document = chunked.parse(edited)
    assert len(parsed) == first + 1 and parsed[-1].lstrip("\n").startswith("rescore {")
    _same(document, edited)
    broken = edited.replace("tests 4\n", "tests 4 x {\n")
    document = chunked.parse(broken)
    # A syntax error: the whole file is parsed, so recovery matches `rubric check`.
    assert parsed[-1] == broken
    _same(document, broken)


def test_a_large_first_version_is_parsed_whole_and_split(parsed: list[str]) -> None:
    text = "reward_rubric { criterion a }\n" + "score { a 3 }\n" * 50
    chunked = ChunkedParser()
    chunked.parse(text)
    assert parsed == [text]
    edited = text.replace("a 3", "a 4", 1)
    _same(chunked.parse(edited), edited)
    assert parsed[1:] == ["\n" + "score { a 4 }\n"]
    # A new line moves the 49 blocks below it: they are moved, not parsed again.
    moved = edited.replace("a 4 }\n", "a 4 }\n\n", 1)
    _same(chunked.parse(moved), moved)
    assert parsed[2:] == ["\n" + "score { a 4 }\n\n"]
    # And back up again.
    _same(chunked.parse(edited), edited)
    assert len(parsed) == 4


def test_chunks_start_at_block_lines() -> None:
    text = '# head\ntask { title "t" }\n\nreward_rubric {\n  criterion a\n}\n'
    assert chunks(text) == [
        (0, "# head\n"),
        (1, 'task { title "t" }\n\n'),
        (3, "reward_rubric {\n  criterion a\n}\n"),
    ]
