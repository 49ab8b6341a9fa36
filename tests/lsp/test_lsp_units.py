"""Pure parts of the server: settings, position encodings, the diagnostics store, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from rubric_lsp.language.context import LineIndex
from rubric_lsp.language.model import Position
from rubric_lsp.lsp.convert import (
    UTF8,
    UTF16,
    UTF32,
    Positions,
    from_client_character,
    to_client_character,
)
from rubric_lsp.lsp.diagnostic_store import DiagnosticStore
from rubric_lsp.lsp.features.navigation import check_new_name
from rubric_lsp.lsp.settings import Settings, documented, read_settings
from rubric_lsp.lsp.snapshot import ModelCache


def test_settings_defaults_and_values() -> None:
    assert read_settings(None) == (Settings(), [])
    settings, problems = read_settings({"diagnosticDelay": 0, "snippets": False, "future": 1})
    assert problems == []
    assert settings == Settings(diagnostic_delay=0, snippets=False)


@pytest.mark.parametrize(
    "raw",
    [
        {"diagnosticDelay": "50"},
        {"diagnosticDelay": True},
        {"diagnosticDelay": -1},
        {"diagnosticDelay": 10_001},
        {"diagnosticDelay": 2.5},
        {"snippets": "yes"},
        {"snippets": 1},
    ],
)
def test_bad_setting_keeps_its_default_and_others(raw: dict[str, object]) -> None:
    base = Settings(ranked_names=False)
    settings, problems = read_settings({**raw, "rankedNames": False}, base)
    assert settings == Settings(ranked_names=False)
    (problem,) = problems
    assert problem.startswith(f"setting '{next(iter(raw))}'")
    assert "using the default" in problem


def test_settings_must_be_an_object() -> None:
    settings, problems = read_settings([1, 2])
    assert settings == Settings()
    assert problems == ["rubric settings must be an object, not list"]


def test_every_setting_is_documented() -> None:
    keys = [key for key, _, _ in documented()]
    assert keys[:3] == ["diagnosticDelay", "snippets", "rankedNames"]
    assert {"rubric", "base", "scoreOnSave", "trusted", "healThreshold", "critics"} <= set(keys)
    assert all(description.endswith(".") for _, _, description in documented())
    reference = (Path(__file__).parents[2] / "docs" / "lsp.md").read_text()
    for key, _, description in documented():
        assert f"| `{key}` |" in reference and description in reference


@pytest.mark.parametrize(
    ("encoding", "expected"),
    # 'titel' is code point 7; é is 2 UTF-8 bytes, 🚀 two UTF-16 units and 4 UTF-8 bytes.
    [(UTF16, 8), (UTF8, 11), (UTF32, 7)],
)
def test_client_columns_after_non_ascii(encoding: str, expected: int) -> None:
    line = 'x "é🚀" titel'
    assert to_client_character(line, line.index("titel"), encoding) == expected
    assert from_client_character(line, expected, encoding) == line.index("titel")


def test_positions_clamp_past_the_end() -> None:
    positions = Positions(LineIndex("ab\ncé\n"), UTF16)
    assert positions.from_lsp(types.Position(line=1, character=99)) == Position(1, 2)
    assert positions.from_lsp(types.Position(line=99, character=0)) == Position(2, 0)
    assert positions.offset(types.Position(line=99, character=5)) == 6
    assert positions.end() == types.Position(line=2, character=0)


def test_diagnostic_store_keeps_sources_apart() -> None:
    store = DiagnosticStore()
    one = types.Diagnostic(
        range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=1)
        ),
        message="a",
    )
    two = types.Diagnostic(range=one.range, message="b")
    store.set("rubric", "u", 3, [one])
    first_id = store.result_id("u")
    store.set("rubric-score", "u", None, [two])
    assert store.items("u") == [one, two]
    assert store.result_id("u") != first_id
    store.clear("rubric-score", "u")
    assert store.items("u") == [one]
    assert store.get("rubric", "u") == (3, [one])
    store.clear_document("u")
    assert store.items("u") == []


def test_diagnostic_store_forgets_closed_documents_and_never_repeats_an_id() -> None:
    store = DiagnosticStore()
    ids = set()
    for _ in range(3):  # open, publish, close: again and again, as a fuzz or a session does
        store.set("rubric", "u", 1, [])
        ids.add(store.result_id("u"))
        store.clear_document("u")
    assert len(ids) == 3
    # Nothing of the closed document is kept (a long session opens thousands of them).
    assert store._entries == {} and store._stamps == {}
    store.set("rubric", "v", 1, [])
    store.clear("rubric", "v")
    assert store._entries == {} and store.sources() == frozenset()


def test_model_cache_parses_each_version_once(parsed: list[str]) -> None:
    cache = ModelCache()
    text = "reward_rubric { criterion a }\n"
    first = cache.get("u", 1, text, UTF16)
    assert parsed == [] and cache.latest_parsed("u") is None  # parsed only when needed
    assert first.document.criteria[0].name.text == "a"
    assert cache.get("u", 1, text, UTF16) is first
    assert cache.get("u", 1, "".join([text]), UTF16).document is first.document
    assert len(parsed) == 1
    second = cache.get("u", 2, text + "score { a 3 }\n", UTF16)
    assert second is not first and len(parsed) == 1
    # Names for hover and completion come from the last parse until this one is parsed.
    assert cache.latest_parsed("u") is first
    _ = second.document
    assert len(parsed) == 2 and cache.latest_parsed("u") is second
    cache.drop("u")
    assert cache.latest_parsed("u") is None


def test_rename_names() -> None:
    assert check_new_name("quality", {"tests"}) is None
    assert check_new_name("tests", {"tests"}) == "a criterion named 'tests' already exists"
    assert "is a keyword" in (check_new_name("rescore", set()) or "")
    assert "is not a name" in (check_new_name("9lives", set()) or "")
    assert "is not a name" in (check_new_name("two words", set()) or "")


def test_lone_surrogate_counts_as_one_unit() -> None:
    from rubric_lsp.lsp.convert import to_utf16_character

    assert to_utf16_character("a\ud83db", 3) == 3


def test_critics_of_the_wrong_shape_keep_the_other_settings() -> None:
    from rubric_lsp.lsp.settings import read_settings

    for bad in ("none", [1]):
        settings, problems = read_settings({"critics": bad, "trusted": True})
        assert settings.trusted is True and settings.critics == {}
        assert len(problems) == 1 and problems[0].startswith("setting 'critics' must be")


def test_model_cache_keeps_no_snapshot_of_a_closed_document() -> None:
    # A pull's check in the worker thread can finish after the client closed the
    # document; what it made is answered, not kept for the rest of the session.
    open_uris = {"u"}
    cache = ModelCache(is_open=lambda uri: uri in open_uris)
    text = "reward_rubric { criterion a }\n"
    kept = cache.get("u", 1, text, UTF16)
    assert kept.document.criteria and cache.latest_parsed("u") is kept
    cache.drop("u")
    open_uris.clear()
    late = cache.get("u", 1, text, UTF16)
    assert late.document.criteria[0].name.text == "a"
    assert cache._current == {} and cache.latest_parsed("u") is None
