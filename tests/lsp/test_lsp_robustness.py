"""The server survives hostile documents and malformed requests, and keeps serving."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import LanguageClient
from support import SEED_FILES, WORKFLOW
from support.lsp_client import doc, open_document, replace_text, wait_for_diagnostics
from support.mutations import SOUP, mutate

pytestmark = pytest.mark.asyncio(loop_scope="module")

SEED_TEXTS = [path.read_text() for path in SEED_FILES]


# The property-based inputs of the language tests: mutated seed files, random text, token soup.
GARBAGE = st.one_of(
    st.builds(mutate, st.sampled_from(SEED_TEXTS), st.integers(0, 2**32).map(random.Random)),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.sampled_from(SOUP), max_size=60).map(" ".join),
)


def draw(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """``count`` examples of a strategy, drawn by hypothesis (reproducible per run)."""
    found: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(text: str) -> None:
        found.append(text)

    collect()
    return found


def _positions(text: str) -> list[types.Position]:
    lines = text.split("\n")
    last = len(lines) - 1
    middle = last // 2
    return [
        types.Position(line=0, character=0),
        types.Position(line=middle, character=len(lines[middle]) // 2),
        types.Position(line=last, character=len(lines[last])),
        types.Position(line=last + 5, character=3),  # past the end
        types.Position(line=0, character=10_000),  # past the end of a line
    ]


async def _exercise(client: LanguageClient, uri: str, text: str) -> None:
    """Every request kind at several positions; each must answer without an error."""
    ident = doc(uri)
    options = types.FormattingOptions(tab_size=2, insert_spaces=True)
    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=9999, character=0)
    )
    for position in _positions(text):
        await client.text_document_completion_async(
            types.CompletionParams(text_document=ident, position=position)
        )
        await client.text_document_hover_async(
            types.HoverParams(text_document=ident, position=position)
        )
        await client.text_document_definition_async(
            types.DefinitionParams(text_document=ident, position=position)
        )
        await client.text_document_document_highlight_async(
            types.DocumentHighlightParams(text_document=ident, position=position)
        )
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=ident, position=position)
        )
    await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=ident)
    )
    await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=ident))
    await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=ident)
    )
    await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=ident, options=options)
    )
    await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(text_document=ident, range=whole, options=options)
    )
    await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=ident, range=whole, context=types.CodeActionContext(diagnostics=[])
        )
    )
    await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=ident))


def _failures(client: LanguageClient) -> list[str]:
    """Handler failures the server logged (they would be hidden from the results)."""
    return [m.message for m in client.log_messages if m.type == types.MessageType.Error] + [
        m.message for m in client.messages if m.type == types.MessageType.Error
    ]


async def _still_serving(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW.replace("revise", "revize", 1))
    found = await wait_for_diagnostics(client, uri, bool, version=1)
    assert [d.code for d in found] == ["unknown-verb"]
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=types.Position(line=7, character=13))
    )
    assert hover is not None


async def test_garbage_as_did_open(client: LanguageClient) -> None:
    for text in draw(GARBAGE, 60):
        uri = open_document(client, text, "garbage")
        await _exercise(client, uri, text)
        client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc(uri)))
    assert _failures(client) == []
    await _still_serving(client)


async def test_garbage_as_did_change(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW, "changing")
    for version, text in enumerate(draw(GARBAGE, 60), start=2):
        replace_text(client, uri, version, text)
        await _exercise(client, uri, text)
    assert _failures(client) == []
    await _still_serving(client)


async def test_incremental_edits_through_an_emoji(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW, "incremental")
    text = WORKFLOW
    rng = random.Random(7)
    for version in range(2, 60):
        line = rng.randrange(text.count("\n") + 3)
        character = rng.randrange(80)
        inserted = rng.choice(["😀", "é", "{", "}", '"', "x ", "\n", ""])
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=character),
                            end=types.Position(line=line, character=character + 1),
                        ),
                        text=inserted,
                    )
                ],
            )
        )
        await _exercise(client, uri, text)
    assert _failures(client) == []


@pytest.mark.parametrize(
    "request_for",
    [
        lambda c, d, p: c.text_document_hover_async(types.HoverParams(text_document=d, position=p)),
        lambda c, d, p: c.text_document_completion_async(
            types.CompletionParams(text_document=d, position=p)
        ),
        lambda c, d, p: c.text_document_references_async(
            types.ReferenceParams(
                text_document=d,
                position=p,
                context=types.ReferenceContext(include_declaration=True),
            )
        ),
        lambda c, d, p: c.text_document_rename_async(
            types.RenameParams(text_document=d, position=p, new_name="x")
        ),
        lambda c, d, p: c.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=d)
        ),
        lambda c, d, p: c.text_document_semantic_tokens_full_async(
            types.SemanticTokensParams(text_document=d)
        ),
    ],
)
async def test_unknown_uri_gets_an_empty_result(
    client: LanguageClient, request_for: Callable[..., object]
) -> None:
    unknown = doc("file:///nowhere/never-opened.rubric")
    result = await request_for(client, unknown, types.Position(line=3, character=4))  # type: ignore[misc]
    assert result is None
    assert _failures(client) == []


async def test_change_to_an_unopened_document_does_not_stop_the_server(
    client: LanguageClient,
) -> None:
    replace_text(client, "file:///nowhere/unopened.rubric", 2, "score {")
    await _still_serving(client)
