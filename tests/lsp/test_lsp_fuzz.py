"""The protocol fuzz through a real server, as VS Code, Neovim 0.11 (UTF-8) and Neovim 0.7.

VS Code 1.65 and Neovim 0.7 offer no position encodings, so the server must fall back
to LSP's UTF-16; they differ in everything else (snippets, pull diagnostics, ...).
"""

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

# Each client's encoding: what it offers first, or UTF-16 when it offers none.
CLIENTS = {"visual-studio-code": "utf-16", "neovim@v0.11.0": "utf-8", "neovim@v0.7.0": "utf-16"}
# About 2,000 documents in all, split between the clients; the benchmark runs 100,000.
DOCUMENTS = int(os.environ.get("RUBRIC_FUZZ_DOCUMENTS", "2000")) // len(CLIENTS)


@pytest_asyncio.fixture(params=list(CLIENTS))
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
    client.expected_encoding = CLIENTS[request.param]  # type: ignore[attr-defined]
    yield client
    await client.shutdown_session()
    await client.stop()


@pytest.mark.asyncio
async def test_the_protocol_fuzz_finds_nothing(client: LanguageClient) -> None:
    result: types.InitializeResult = client.result  # type: ignore[attr-defined]
    capabilities = result.capabilities
    encoding = str(capabilities.position_encoding or "utf-16")
    assert encoding == client.expected_encoding  # type: ignore[attr-defined]
    fuzzer = Fuzzer(client, encoding, random.Random(17), capabilities)
    tally = await fuzzer.run(DOCUMENTS)
    print(f"{encoding}: {tally.summary()}")
    assert tally.problems() == {}, tally.summary()
    # The server is still there and answering.
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri="file:///x"))
    )
    assert symbols == [] or symbols is None
