"""A real rubric-lsp process per test module, driven over stdio by pytest-lsp."""

from __future__ import annotations

import sys

import pytest_lsp
from lsp_support import make_client
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "rubric_lsp.lsp"]


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
