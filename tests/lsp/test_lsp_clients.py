"""A Neovim-like client: UTF-8 positions, pull diagnostics, settings from workspace/configuration."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from support.lsp_client import SERVER, doc, make_client, open_document

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """Neovim 0.11 prefers UTF-8 positions and pulls diagnostics."""
    lsp_client.set_configuration({"snippets": False, "diagnosticDelay": 5}, section="rubric")
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            # Wrong types: each keeps its default and is reported.
            initialization_options={"diagnosticDelay": "soon", "rankedNames": "yes"},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_bad_initialization_options_are_reported(client: LanguageClient) -> None:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=doc("file:///x.rubric"), position=types.Position(line=0, character=0)
        )
    )
    assert result is None
    warnings = sorted(m.message for m in client.messages if m.type == types.MessageType.Warning)
    assert len(warnings) == 2
    assert warnings == [
        "rubric-lsp: setting 'diagnosticDelay' must be a whole number from 0 to 10000, "
        "not 'soon'; using the default 50",
        "rubric-lsp: setting 'rankedNames' must be true or false, not 'yes'; "
        "using the default true",
    ]


async def test_utf8_ranges_and_pull_diagnostics(client: LanguageClient) -> None:
    text = 'task { title "ship it 🚀 café" titel "x" }\nreward_rubric { criterion a }\n'
    uri = open_document(client, text)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    (found,) = report.items
    column = len(text[: text.index("titel")].encode("utf-8"))
    assert found.range.start == types.Position(line=0, character=column)
    assert found.range.end == types.Position(line=0, character=column + 5)
    # This client pulls, so the server does not also push the same diagnostics.
    assert client.diagnostics.get(uri) is None


async def test_workspace_configuration_applies(client: LanguageClient) -> None:
    uri = open_document(client, "")
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=types.Position(line=0, character=0))
    )
    assert isinstance(result, types.CompletionList)
    # "snippets": false from the rubric section: plain keywords only.
    assert {item.insert_text_format for item in result.items} == {types.InsertTextFormat.PlainText}
    rubric = next(item for item in result.items if item.label == "reward_rubric")
    assert isinstance(rubric.text_edit, types.TextEdit)
    assert rubric.text_edit.new_text == "reward_rubric"


async def test_changed_configuration_applies(client: LanguageClient) -> None:
    uri = open_document(client, "")
    params = types.CompletionParams(
        text_document=doc(uri), position=types.Position(line=0, character=0)
    )
    # Settings pushed with the notification apply at once.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"rubric": {"snippets": True}})
    )
    result = await client.text_document_completion_async(params)
    assert isinstance(result, types.CompletionList)
    assert types.InsertTextFormat.Snippet in {item.insert_text_format for item in result.items}
    # Without settings in the notification, the server asks for the section again.
    client.set_configuration({"snippets": False}, section="rubric")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    for _ in range(50):
        result = await client.text_document_completion_async(params)
        assert isinstance(result, types.CompletionList)
        if {item.insert_text_format for item in result.items} == {types.InsertTextFormat.PlainText}:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the server did not pull the changed configuration")
