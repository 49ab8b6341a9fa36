"""On save, the server scores a project in its own venv as `rubric score` does."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.lsp_client import (
    SERVER,
    edit_and_save,
    make_client,
    open_file,
    progress_ends,
    wait_until,
)
from support.project_env import APP, clean_env, project, rubric_command, venvs


@pytest_asyncio.fixture
async def session(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[LanguageClient, Path]]:
    """A trusted server on the project, started with no virtualenv active."""
    repo = project(tmp_path / "rooms", venvs(tmp_path_factory)["full"])
    client = make_client()
    await client.start_io(*SERVER, env=clean_env(), cwd=str(repo))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="rooms")],
            initialization_options={"diagnosticDelay": 0, "trusted": True},
        )
    )
    yield client, repo
    await client.shutdown_session()
    await client.stop()


@pytest.mark.asyncio
async def test_on_save_scores_as_the_command_line_does(
    session: tuple[LanguageClient, Path],
) -> None:
    client, repo = session
    python = str(repo / ".venv" / "bin" / "python")
    rubric_uri = open_file(client, repo / "rooms.rubric", "rubric")
    open_file(client, repo / "rooms.py", "python")
    edit_and_save(client, repo / "rooms.py", APP, 2)
    # A run that a newer one cancels ends without a verdict; the finished run names python.
    await wait_until(lambda: any("weighted" in end for end in progress_ends(client)), timeout=240)
    finished = [end for end in progress_ends(client) if "weighted" in end]
    assert finished[-1].endswith(f"; python: {python}"), progress_ends(client)

    text = (repo / "rooms.rubric").read_text()
    line = text.split("\n").index("  criterion correctness weight=2")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            position=types.Position(line=line, character=14),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Measured:** 1.00" in hover.contents.value, hover.contents.value
    assert f"Python: `{python} (.venv/ at the repository root)`" in hover.contents.value

    on_save = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="rubric.score")
    )
    cli = json.loads(
        subprocess.run(
            [*rubric_command(), "score", "--format", "json"],
            cwd=repo,
            env=clean_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert (
        on_save["subscores"]
        == cli["subscores"]
        == {
            "correctness": 1.0,
            "tests": 1.0,
            "style": 1.0,
        }
    )
    assert on_save["python"] == cli["python"]
