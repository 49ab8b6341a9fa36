"""What requests reuse between edits is what a fresh count of the text would give."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types

from rubric_lsp.language.lines import LineIndex
from rubric_lsp.lsp.convert import UTF16
from rubric_lsp.lsp.snapshot import Snapshot
from rubric_lsp.lsp.textsync import TextLines, apply_change

TEXTS = [
    "",
    "\n",
    "task {}\n",
    "a\r\nb\rc\nd",
    "a\r\r\n\n\r",
    'task { title "x\x0cy\u2028z" }\r\nreward_rubric {\r\n}\r\n',
    "no break at the end",
]


def _index_fields(index: LineIndex) -> tuple[str, list[int], list[int]]:
    return index.text, index.starts, index.ends


@pytest.mark.parametrize("text", TEXTS)
def test_an_index_from_kept_line_starts_is_a_fresh_index(text: str) -> None:
    kept = TextLines(text)
    reused = LineIndex.from_line_starts(kept.text, kept.starts)
    assert _index_fields(reused) == _index_fields(LineIndex(text))


def test_line_starts_patched_over_many_edits_give_the_fresh_index() -> None:
    rng = random.Random(5)
    lines = TextLines('task {\r\n  title "x"\n}\rreward_rubric { criterion a }\n')
    pieces = ["", "\n", "\r", "\r\n", "é", "🚀", "x y", "}\r\n{"]
    for _ in range(300):
        index = LineIndex(lines.text)
        line = rng.randrange(index.line_count + 1)
        start = types.Position(line=line, character=rng.randrange(6))
        end = types.Position(line=line + rng.randrange(2), character=rng.randrange(6))
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=start, end=end), text=rng.choice(pieces)
        )
        lines = apply_change(lines, change, UTF16)
        reused = LineIndex.from_line_starts(lines.text, lines.starts)
        assert _index_fields(reused) == _index_fields(LineIndex(lines.text))


def test_overtyping_keeps_the_line_starts_a_fresh_count_gives() -> None:
    # Same-length replacements share the previous version's line starts; a break typed
    # over a character, or a character over a break, must not.
    rng = random.Random(7)
    lines = TextLines("ab\rXc\nd\r\ne🚀f\n\rgh")
    pieces = ["Y", "\n", "\r", "é", "🚀", "zz", "\r\n", ""]
    for _ in range(500):
        start = rng.randrange(len(lines.text) + 1)
        piece = rng.choice(pieces)
        end = min(len(lines.text), start + len(piece))
        before = lines
        lines = lines.replaced(start, end, piece[: end - start])
        assert _index_fields(LineIndex.from_line_starts(lines.text, lines.starts)) == (
            _index_fields(LineIndex(lines.text))
        )
        assert before.starts == TextLines(before.text).starts  # never changed in place


def test_a_snapshot_remembers_a_derived_value_once_per_key() -> None:
    snapshot = Snapshot("file:///x.rubric", 1, "task {}\n", UTF16)
    calls: list[str] = []

    def compute(value: str) -> str:
        calls.append(value)
        return value

    assert snapshot.remembered("a", lambda: compute("first")) == "first"
    assert snapshot.remembered("a", lambda: compute("second")) == "first"
    assert snapshot.remembered("b", lambda: compute("third")) == "third"
    assert calls == ["first", "third"]
    # Another version of the text remembers nothing of this one.
    other = Snapshot("file:///x.rubric", 2, "task {}\n", UTF16)
    assert other.remembered("a", lambda: compute("fourth")) == "fourth"
