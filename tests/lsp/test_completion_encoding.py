"""Completion answers are encoded from kept pieces: the JSON must be the converter's own."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from lsprotocol.converters import get_converter

from rubric_lsp.lsp.features.completion import Completions, Entry

CONVERTER = get_converter()

texts = st.text(st.characters(codec="utf-8"), max_size=40)
entries = st.builds(
    Entry,
    label=st.text(min_size=1, max_size=12),
    kind=st.sampled_from(list(types.CompletionItemKind)),
    doc=st.none() | texts,
    detail=st.none() | texts,
    new_text=texts,
    snippet=st.booleans(),
    sort=st.none() | st.text(max_size=6),
)
positions = st.builds(
    types.Position, line=st.integers(0, 2**31 - 1), character=st.integers(0, 2**31 - 1)
)


@given(st.lists(entries, max_size=8), positions, positions)
def test_encoded_completions_equal_the_converters_encoding(
    found: list[Entry], start: types.Position, end: types.Position
) -> None:
    completions = Completions(types.Range(start=start, end=end), found)
    assert json.loads(completions.encoded()) == CONVERTER.unstructure(completions.typed())


def test_the_same_entry_at_two_ranges_keeps_each_range() -> None:
    entry = Entry("c1", types.CompletionItemKind.Variable, "**c1**", None, "c1", False, None)
    first = types.Range(start=types.Position(3, 2), end=types.Position(3, 4))
    second = types.Range(start=types.Position(9, 0), end=types.Position(9, 1))
    answers = [json.loads(Completions(r, [entry]).encoded()) for r in (first, second)]
    assert [a["items"][0]["textEdit"]["range"]["start"]["line"] for a in answers] == [3, 9]
