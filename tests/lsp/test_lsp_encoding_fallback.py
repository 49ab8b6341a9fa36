"""Clients that offer no position encoding get UTF-16 columns, also after non-ASCII text.

LSP says a client that sends no ``general.positionEncodings`` counts UTF-16 code units.
Neovim before 0.10 and VS Code 1.65 send none; Neovim 0.10 offers only UTF-16 and
Neovim 0.11 offers UTF-8 first. Each gets ranges in its own units after a rocket (two
UTF-16 units, four UTF-8 bytes) and an é (one unit, two bytes) on the same line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support import lsp_text
from support.lsp_client import SERVER, doc, make_client, open_document

CLIENTS = {
    "neovim@v0.7.0": "utf-16",
    "visual-studio-code": "utf-16",
    "neovim@v0.10.0": "utf-16",
    "neovim@v0.11.0": "utf-8",
}

TEXT = (
    'task { title "🚀 café" titel "x" }\n'
    "reward_rubric { criterion speed weight=2 }\n"
    'score { speed 3 "🚀 é" sped 2 "x" }\n'
)


@pytest_asyncio.fixture(params=list(CLIENTS))
async def session(request: pytest.FixtureRequest) -> AsyncIterator[tuple[LanguageClient, str]]:
    """A server initialized by one client's capabilities, and the encoding it must get."""
    client = make_client()
    await client.start_io(*SERVER)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options={"diagnosticDelay": 0},
        )
    )
    encoding = result.capabilities.position_encoding or "utf-16"
    assert str(getattr(encoding, "value", encoding)) == CLIENTS[request.param]
    yield client, CLIENTS[request.param]
    await client.shutdown_session()
    await client.stop()


def column(text: str, needle: str, encoding: str) -> types.Position:
    """Where ``needle`` starts in ``text``, counted in ``encoding``'s units."""
    index = text.index(needle)
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=lsp_text.line_length(text[start:index], encoding))


def shifted(position: types.Position, units: int) -> types.Position:
    """The same line, ``units`` further right."""
    return types.Position(line=position.line, character=position.character + units)


@pytest.mark.asyncio
async def test_ranges_after_non_ascii_text_count_the_clients_units(
    session: tuple[LanguageClient, str],
) -> None:
    client, encoding = session
    uri = open_document(client, TEXT, "encoding")

    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    by_code = {str(item.code): item.range for item in report.items}
    titel = column(TEXT, "titel", encoding)
    assert types.Range(start=titel, end=shifted(titel, 5)) in by_code.values(), by_code
    sped = column(TEXT, "sped", encoding)
    assert types.Range(start=sped, end=shifted(sped, 4)) in by_code.values(), by_code

    # A position sent in the client's units lands on the name after the rocket and é.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=shifted(sped, 2))
    )
    assert hover is not None
    assert hover.range == types.Range(start=sped, end=shifted(sped, 4))
    assert "`sped` is not a criterion" in str(hover.contents)

    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=shifted(sped, 3))
    )
    assert isinstance(completion, types.CompletionList)
    speed = next(item for item in completion.items if item.label == "speed")
    assert isinstance(speed.text_edit, types.TextEdit)
    assert speed.text_edit.range == types.Range(start=sped, end=shifted(sped, 3))
