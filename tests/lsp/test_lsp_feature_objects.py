"""Feature objects called directly, without a client: handlers, fan-out, failures, wiring."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import cast

import pytest
from lsprotocol import types

from rubric_lsp.lsp.convert import UTF8, UTF16, Codec
from rubric_lsp.lsp.feature import Feature, FeatureSet, request
from rubric_lsp.lsp.features.configuration import ConfigurationFeature
from rubric_lsp.lsp.features.hover import HoverFeature
from rubric_lsp.lsp.features.scoring import ScoringFeature
from rubric_lsp.lsp.main import FEATURES
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.lsp.settings import Settings
from rubric_lsp.lsp.setup import create_server
from rubric_lsp.lsp.snapshot import Snapshot

URI = "file:///tmp/feature-objects.rubric"
TEXT = 'task { title "größe" } reward_rubric { criterion tests weight=2 }\n'
LSP = Path(__file__).resolve().parents[2] / "rubric_lsp" / "lsp"


class FakeServer:
    """Just what the features under test read from a server: one open document."""

    def __init__(self, text: str = TEXT, encoding: str = UTF16) -> None:
        self.current = Snapshot(URI, 1, text, encoding)
        self.codec = Codec(encoding)
        self.settings = Settings()
        self.shown: list[str] = []
        self.logged: list[str] = []

    def snapshot(self, uri: str) -> Snapshot | None:
        return self.current if uri == URI else None

    parsed_snapshot = snapshot

    def window_show_message(self, params: types.ShowMessageParams) -> None:
        self.shown.append(params.message)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.logged.append(message)


class Measured(Feature):
    """Adds a section to every criterion's hover, as the scoring feature does after a run."""

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        return [f"measured {criterion}"]


class Broken(Feature):
    """Fails at everything it takes part in."""

    def document_open(self, params: types.DidOpenTextDocumentParams) -> None:
        raise RuntimeError("open went wrong")

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        raise RuntimeError("hover went wrong")

    @request(types.TEXT_DOCUMENT_HOVER)
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        raise RuntimeError("request went wrong")


class Recorder(Feature):
    """Remembers the events it was told of."""

    def __init__(self, server: RubricLanguageServer, features: FeatureSet) -> None:
        super().__init__(server, features)
        self.events: list[str] = []

    def document_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self.events.append(f"open {params.text_document.uri}")

    def settings_changed(self) -> None:
        self.events.append("settings changed")


def features_of(server: object, *classes: type[Feature]) -> FeatureSet:
    return FeatureSet(cast(RubricLanguageServer, server), classes)


def hover_at(needle: str) -> types.HoverParams:
    line = TEXT.split("\n")[0]
    return types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        position=types.Position(0, len(line[: line.index(needle)].encode("utf-16-le")) // 2),
    )


def test_the_hover_handler_answers_when_called_directly() -> None:
    features = features_of(FakeServer(), HoverFeature, Measured)
    hover = features.get(HoverFeature).hover(hover_at("tests"))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    own, measured = hover.contents.value.split("\n\n---\n\n")
    assert own.startswith("**criterion `tests`** · weight 2")
    assert measured == "measured tests"
    # After `größe`, in the client's UTF-16 columns.
    assert hover.range == types.Range(types.Position(0, 49), types.Position(0, 54))


def test_one_features_failure_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeServer()
    features = features_of(server, Broken, Recorder, HoverFeature, Measured)
    opened = types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=URI, language_id="rubric", version=1, text=TEXT)
    )
    with caplog.at_level(logging.ERROR):
        features.notify("document_open", opened)
        hover = features.get(HoverFeature).hover(hover_at("tests"))
    assert features.get(Recorder).events == [f"open {URI}"]
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.endswith("measured tests")
    failures = [r for r in caplog.records if r.getMessage().startswith("Error in")]
    assert [r.getMessage() for r in failures] == [
        "Error in 'Broken.document_open'",
        "Error in 'Broken.hover_sections'",
    ]
    assert all(r.exc_info is not None for r in failures)  # with the traceback
    assert server.logged == [
        "rubric-lsp: Error in 'Broken.document_open': RuntimeError: open went wrong",
        "rubric-lsp: Error in 'Broken.hover_sections': RuntimeError: hover went wrong",
    ]


def test_applied_settings_reach_every_feature_once_when_they_change() -> None:
    server = FakeServer()
    features = features_of(server, ConfigurationFeature, Recorder)
    configuration = features.get(ConfigurationFeature)
    configuration.apply({"snippets": False})
    configuration.apply({"snippets": False})
    configuration.apply({"diagnosticDelay": "soon", "snippets": False})
    assert server.settings == Settings(snippets=False)
    assert features.get(Recorder).events == ["settings changed"]
    assert server.shown == [
        "rubric-lsp: setting 'diagnosticDelay' must be a whole number from 0 to 10000, "
        "not 'soon'; using the default 50"
    ]


@pytest.mark.parametrize(("encoding", "column"), [(UTF16, 23), (UTF8, 25)])
def test_the_verdict_lens_stands_in_the_clients_columns(encoding: str, column: int) -> None:
    text = 'task { title "größe" } accept_if { weighted_gte 0.8 }\n'
    scoring = features_of(FakeServer(text, encoding), ScoringFeature).get(ScoringFeature)
    lenses = scoring.code_lenses(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    (lens,) = lenses
    assert lens.range == types.Range(types.Position(0, column), types.Position(0, column + 9))
    assert lens.command is not None and lens.command.title == "rubric: score the change"
    # Nothing measured yet: no hints, no blocks to insert.
    assert (
        scoring.inlay_hints(
            types.InlayHintParams(
                text_document=types.TextDocumentIdentifier(uri=URI),
                range=types.Range(types.Position(0, 0), types.Position(1, 0)),
            )
        )
        == []
    )


def test_a_failing_request_handler_answers_empty(caplog: pytest.LogCaptureFixture) -> None:
    features = create_server([Broken])
    handler = features.server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER]
    with caplog.at_level(logging.ERROR):
        assert handler(hover_at("tests")) is None
    assert "Error in 'Broken.hover'" in [r.getMessage() for r in caplog.records]


def test_every_method_is_registered_once_and_fans_out() -> None:
    features = create_server(FEATURES)
    registered = features.server.protocol.fm.features
    for method in (
        types.INITIALIZE,
        types.INITIALIZED,
        types.TEXT_DOCUMENT_DID_OPEN,
        types.TEXT_DOCUMENT_DID_SAVE,
        types.SHUTDOWN,
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.TEXT_DOCUMENT_CODE_LENS,
        types.TEXT_DOCUMENT_HOVER,
        types.TEXT_DOCUMENT_INLAY_HINT,
    ):
        assert method in registered
    assert sorted(features.server.protocol.fm.commands) == [
        "rubric.report",
        "rubric.review",
        "rubric.score",
    ]
    assert [type(f) for f in features] == list(FEATURES)


def test_the_server_module_imports_no_feature() -> None:
    tree = ast.parse((LSP / "server.py").read_text(encoding="utf-8"))
    imported = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    ]
    assert [name for name in imported if "features" in name or name.endswith(".setup")] == []
    assert "rubric_lsp.lsp.main" not in imported
