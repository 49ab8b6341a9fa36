"""The protocol fuzz through a real server, as VS Code (UTF-16) and Neovim 0.11 (UTF-8)."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.lsp_client import SERVER, make_client
from support.lsp_fuzz import Fuzzer

CLIENTS = ("visual-studio-code", "neovim@v0.11.0")
# About 2,000 documents in all, split between the clients; the benchmark runs 100,000.
DOCUMENTS = int(os.environ.get("RUBRIC_FUZZ_DOCUMENTS", "1000"))


@pytest_asyncio.fixture(params=CLIENTS)
async def client(request: pytest.FixtureRequest) -> AsyncIterator[LanguageClient]:
    """A server initialized by one editor's capabilities; stopped afterwards."""
    client = make_client()
    await client.start_io(*SERVER)
    client.result = await client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            initialization_options={"diagnosticDelay": 0},
        )
    )
    yield client
    await client.shutdown_session()
    await client.stop()


@pytest.mark.asyncio
async def test_the_protocol_fuzz_finds_nothing(client: LanguageClient) -> None:
    result: types.InitializeResult = client.result  # type: ignore[attr-defined]
    capabilities = result.capabilities
    encoding = str(capabilities.position_encoding or "utf-16")
    fuzzer = Fuzzer(client, encoding, random.Random(17), capabilities)
    tally = await fuzzer.run(DOCUMENTS)
    print(f"{encoding}: {tally.summary()}")
    assert tally.problems() == {}, tally.summary()
    # The server is still there and answering.
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri="file:///x"))
    )
    assert symbols == [] or symbols is None
