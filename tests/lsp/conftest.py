"""Fixtures of the server tests: a real rubric-lsp process per module, a record of what it parses."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from support.lsp_client import SERVER, make_client

from rubric_lsp.language import parser
from rubric_lsp.lsp import incremental


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client), scope="module"
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A VS Code-like client: snippets, push diagnostics, UTF-16 positions."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"diagnosticDelay": 0},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the server's parse cache hands to the full parser, in order."""
    parsed: list[str] = []

    def counting(text: str) -> parser.Document:
        parsed.append(text)
        return parser.parse(text)

    monkeypatch.setattr(incremental, "parse", counting)
    return parsed
