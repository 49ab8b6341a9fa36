"""Many messages: nothing kept per message, the last version published, other documents answered."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from support.lsp_client import doc, open_document, published_for

TEXT = 'task {\n  title "storm"\n}\nreward_rubric {\n  criterion tests weight=2\n}\n'


# The client's reader runs on the module's event loop, where its fixture started it: the
# tests must run on that loop too, or no answer is read until a test ends.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_an_edit_storm_publishes_the_last_version(client: LanguageClient) -> None:
    lines = [f"  criterion c{i} weight=1" for i in range(40)]
    text = "reward_rubric {\n" + "\n".join(lines) + "\n}\n"
    uri = open_document(client, text, "storm")
    version = 1
    hovers = []
    for index in range(300):
        version += 1
        line = 1 + index % 40
        position = types.Position(line=line, character=len(lines[line - 1]) - 1)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=position,
                            end=types.Position(line=line, character=position.character + 1),
                        ),
                        text=str(index % 2 + 1),
                    )
                ],
            )
        )
        if index % 10 == 0:
            hovers.append(
                client.text_document_hover_async(
                    types.HoverParams(
                        text_document=doc(uri), position=types.Position(line=line, character=13)
                    )
                )
            )
    answers = await asyncio.gather(*hovers)
    assert all(answer is not None for answer in answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        versions = [p.version for p in published_for(client, uri)]
        if versions and versions[-1] == version:
            break
        await asyncio.sleep(0.05)
    versions = [p.version for p in published_for(client, uri) if p.version is not None]
    assert versions[-1] == version
    assert versions == sorted(versions)
    # The final text is valid (40 criteria are only too many to score well: a warning).
    final = published_for(client, uri)[-1].diagnostics
    assert [d.code for d in final] == ["too-many-criteria"], final


async def test_another_document_is_answered_while_one_is_parsed(client: LanguageClient) -> None:
    # Thousands of blocks with errors: the parse of this one takes a while.
    big = "".join(f'score {{\n  c{i} 3 "x\n  {{ }} bad\n}}\n' for i in range(3000))
    small = open_document(client, TEXT, "small")
    await client.text_document_hover_async(
        types.HoverParams(text_document=doc(small), position=types.Position(line=4, character=14))
    )
    started = time.monotonic()
    heavy = open_document(client, big, "heavy")
    symbols = asyncio.ensure_future(
        client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=doc(heavy))
        )
    )
    await asyncio.sleep(0.05)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(small), position=types.Position(line=4, character=14))
    )
    answered = time.monotonic() - started
    assert hover is not None
    outline = await symbols
    parsed = time.monotonic() - started
    assert outline
    # The hover did not wait for the big document's parse.
    assert answered < max(1.0, parsed / 2), (answered, parsed)


async def test_a_code_lens_right_after_a_change_is_of_the_new_text(client: LanguageClient) -> None:
    text = 'task {\n  title "t"\n}\n\n\n\naccept_if {\n  total_gte 1\n}\n'
    uri = open_document(client, text, "lens")
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc(uri))
    )
    assert lenses and lenses[0].range.start.line == 6
    short = "accept_if {\n  total_gte 1\n}"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=short)],
        )
    )
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc(uri))
    )
    assert lenses is not None
    assert [lens.range.start.line for lens in lenses] == [0]
