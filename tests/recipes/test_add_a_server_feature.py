"""The recipe 'add a server feature' applies to the tree, and the copied server answers with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities

from tests.recipes.recipe_support import apply_recipe

RUBRIC = "reward_rubric {\n  criterion correctness weight=3\n  criterion style weight=1\n}\n"


def test_the_recipe_feature_is_wired_in(tmp_path: Path) -> None:
    copy = apply_recipe("add a server feature", tmp_path)
    # The copy, not the installed package: the feature exists only there.
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rubric_lsp.lsp.main import FEATURES; print([f.__name__ for f in FEATURES])",
        ],
        cwd=copy,
        env=dict(os.environ, PYTHONPATH=str(copy)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'CriteriaFeature'" in listed


@pytest.mark.asyncio
async def test_the_copied_server_answers_the_new_command(tmp_path: Path) -> None:
    copy = apply_recipe("add a server feature", tmp_path)
    client = LanguageClient(converter_factory=default_converter)
    await client.start_io(
        sys.executable,
        "-m",
        "rubric_lsp.lsp",
        cwd=str(copy),
        env=dict(os.environ, PYTHONPATH=str(copy)),
    )
    try:
        result = await client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        )
        provider = result.capabilities.execute_command_provider
        assert provider is not None and "rubric.criteria" in provider.commands
        uri = (copy / "criteria.rubric").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="rubric", version=1, text=RUBRIC
                )
            )
        )
        names = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="rubric.criteria", arguments=[uri])
        )
        assert names == ["correctness", "style"]
    finally:
        await client.shutdown_session()
        await client.stop()
