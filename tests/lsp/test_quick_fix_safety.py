"""Quick fixes, renames and formatting never break a file: edits apart, no new syntax error."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from support import SEED_FILES, lsp_text
from support.mutations import SOUP, mutate

from rubric_lsp.language import model
from rubric_lsp.language.parser import parse
from rubric_lsp.lsp.features.actions import quick_fixes
from rubric_lsp.lsp.features.formatting import document_edits, range_edits
from rubric_lsp.lsp.snapshot import Snapshot

SEEDS = [path.read_text() for path in SEED_FILES]
WHOLE = model.Range(model.Position(0, 0), model.Position(10**6, 0))


def snapshot_of(text: str, encoding: str = "utf-16") -> Snapshot:
    """A server snapshot of a text, as a client with ``encoding`` would see it."""
    return Snapshot("file:///fixes.rubric", 1, text, encoding)


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    """The text edits of a quick fix (all for its one document)."""
    assert action.edit is not None and action.edit.changes is not None
    (edits,) = action.edit.changes.values()
    return list(edits)


def overlapping(text: str, edits: list[types.TextEdit], encoding: str) -> list[Any]:
    """Pairs of edits whose ranges overlap (touching is fine)."""
    spans = sorted(
        (
            lsp_text.offset(text, e.range.start, encoding),
            lsp_text.offset(text, e.range.end, encoding),
        )
        for e in edits
    )
    return [(a, b) for a, b in itertools.pairwise(spans) if b[0] < a[1]]


def applied(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """The text after a list of non-overlapping edits, as a client applies them."""
    spans = sorted(
        (
            lsp_text.offset(text, e.range.start, encoding),
            lsp_text.offset(text, e.range.end, encoding),
            e.new_text,
        )
        for e in edits
    )
    for start, end, new_text in reversed(spans):
        text = text[:start] + new_text + text[end:]
    return text


def check_fixes(text: str, encoding: str = "utf-16") -> list[types.CodeAction]:
    """Every quick fix of ``text``: edits inside it, apart, and adding no syntax error."""
    errors = len(parse(text).syntax_errors)
    actions = quick_fixes(snapshot_of(text, encoding), WHOLE)
    for action in actions:
        edits = edits_of(action)
        assert lsp_text.range_problems(text, edits, encoding) == [], action.title
        assert overlapping(text, edits, encoding) == [], (action.title, edits)
        after = applied(text, edits, encoding)
        assert len(parse(after).syntax_errors) <= errors, (action.title, after)
    return actions


def documents() -> st.SearchStrategy[str]:
    """Seed rubrics with a few random mutations, or soup of the language's words."""
    mutated = st.builds(
        lambda seed, number: mutate(SEEDS[seed % len(SEEDS)], random.Random(number)),
        st.integers(0, len(SEEDS) - 1),
        st.integers(0, 2**32),
    )
    soup = st.lists(st.sampled_from(SOUP), max_size=60).map(" ".join)
    endings = st.sampled_from(["\n", "\r\n", "\r"])
    return st.one_of(mutated, soup).flatmap(
        lambda text: endings.map(lambda newline: text.replace("\n", newline))
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(["utf-16", "utf-8"]))
def test_fixes_of_fuzzed_documents_keep_the_file_whole(text: str, encoding: str) -> None:
    check_fixes(text, encoding)


def test_did_you_mean_criterion_is_not_offered_when_it_breaks_the_entry() -> None:
    # 'criterion' needs a name: replacing the misspelt key alone makes a syntax error.
    text = "reward_rubric {\n  criterio weight=5\n  criterion a\n}\n"
    titles = [action.title for action in check_fixes(text)]
    assert "Replace 'criterio' with 'criterion'" not in titles
    fine = "reward_rubric {\n  criterio b weight=5\n  criterion a\n}\n"
    assert "Replace 'criterio' with 'criterion'" in [a.title for a in check_fixes(fine)]


@pytest.mark.parametrize(
    "block", ["accept_if {\n  minimum a 3\n}", "review_if {\n  weighted_between 0.4 0.6\n}"]
)
def test_a_stray_brace_after_the_last_block_is_no_duplicate(block: str) -> None:
    text = f"reward_rubric {{\n  criterion a\n}}\n{block}\n}}\n"
    document = parse(text)
    assert [b.kind for b in document.blocks] == ["reward_rubric", block.split()[0]]
    codes = [d.code for d in snapshot_of(text).diagnostics]
    assert codes == ["syntax-error"]
    for action in check_fixes(text):
        assert "duplicate" not in action.title


def test_merging_duplicate_blocks_keeps_crlf_and_lone_cr_lines() -> None:
    for newline in ("\r\n", "\r"):
        text = newline.join(
            ["reward_rubric {", "  criterion a", "}", "task {", '  title "t"', "}", "task {",
             '  goal "g"', "}", ""]
        )  # fmt: skip
        (merge,) = [a for a in check_fixes(text) if a.title.startswith("Merge")]
        after = applied(text, edits_of(merge), "utf-16")
        assert after == newline.join(
            ["reward_rubric {", "  criterion a", "}", "task {", '  title "t"', '  goal "g"', "}", ""]
        )  # fmt: skip


def clean_documents() -> st.SearchStrategy[str]:
    """Mutated seed rubrics that still parse without a syntax error."""
    return documents().filter(lambda text: not parse(text).syntax_errors)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    clean_documents(), st.integers(0, 60), st.integers(0, 10), st.sampled_from(["utf-16", "utf-8"])
)
def test_formatting_edits_never_add_a_syntax_error(
    text: str, first: int, span: int, encoding: str
) -> None:
    snapshot = snapshot_of(text, encoding)
    for edits in (document_edits(snapshot), range_edits(snapshot, first, first + span)):
        assert lsp_text.range_problems(text, edits, encoding) == []
        assert overlapping(text, edits, encoding) == []
        assert not parse(applied(text, edits, encoding)).syntax_errors
