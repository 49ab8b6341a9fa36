"""Files the server reads for a scoring run: read off the event loop, only when regular."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.gitrepo import init_repo
from support.lsp_client import SERVER, doc, edit_and_save, make_client, open_document, open_file

from rubric_lsp.lsp.score_view import read_lines
from rubric_lsp.scoring.rubricfile import load

CLIENTS = ("visual-studio-code", "neovim@v0.11.0")
SMALL = 'task {\n  title "t"\n}\nreward_rubric {\n  criterion tests weight=2\n}\n'
HOVER_AT = types.Position(line=4, character=14)


def large_rubric(rules: int) -> str:
    """A valid rubric of many review rules: it takes seconds to parse and validate."""
    lines = "".join(f"  weighted_between 0.{i % 9} 0.9\n" for i in range(rules))
    return (
        "reward_rubric {\n  criterion docs weight=1 check=docstrings\n}\n\n"
        f"accept_if {{\n  total_gte 0\n}}\n\nreview_if {{\n{lines}}}\n"
    )


@pytest_asyncio.fixture(params=CLIENTS)
async def client(request: pytest.FixtureRequest) -> AsyncIterator[LanguageClient]:
    """A client with the capabilities of one editor; the server is stopped afterwards."""
    client = make_client()
    client.kind = request.param  # type: ignore[attr-defined]
    yield client
    await client.shutdown_session()
    await client.stop()


def progress_ends(client: LanguageClient) -> list[str]:
    return [
        report.message or ""
        for reports in client.progress_reports.values()
        for report in reports
        if isinstance(report, types.WorkDoneProgressEnd)
    ]


@pytest.mark.asyncio
async def test_requests_are_answered_while_a_large_root_rubric_is_read(
    client: LanguageClient, tmp_path: Path
) -> None:
    rubric = large_rubric(16000)
    load(tmp_path, None, large_rubric(1))  # the grammar is built once per process
    started = time.perf_counter()
    load(tmp_path, None, rubric)
    load_seconds = time.perf_counter() - started
    repo = init_repo(tmp_path / "repo")
    # The fixture's own rubric at the root, replaced by the large one (not committed).
    (repo / "calc.rubric").write_text(rubric)
    await client.start_io(*SERVER, cwd=str(repo))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(client.kind),  # type: ignore[attr-defined]
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="project")],
            initialization_options={"diagnosticDelay": 0, "useCache": False},
        )
    )
    small = open_document(client, SMALL, "small")
    hover = types.HoverParams(text_document=doc(small), position=HOVER_AT)
    assert await client.text_document_hover_async(hover) is not None
    core = repo / "calc" / "core.py"
    open_file(client, core, "python")
    edit_and_save(client, core, core.read_text() + "\n\nLIMIT = 10\n", 2)
    waits: list[float] = []
    deadline = time.monotonic() + 180
    while not progress_ends(client) and time.monotonic() < deadline:
        sent = time.perf_counter()
        assert await client.text_document_hover_async(hover) is not None
        waits.append(time.perf_counter() - sent)
        await asyncio.sleep(0.02)
    (message,) = progress_ends(client)
    # The run read and scored the large rubric; it did not stop at an error.
    assert " · weighted " in message, message
    # Before, the rubric was parsed (and the critics' modules imported) on the event
    # loop, and one hover waited for all of it.
    assert max(waits) < max(0.5, load_seconds / 2), (max(waits), load_seconds)


def test_a_fifo_among_the_findings_files_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "core.py"
    os.mkfifo(fifo)
    found: list[list[str] | None] = []
    reader = threading.Thread(target=lambda: found.append(read_lines(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        # Unblock the reader so the test process can end, then fail.
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO's lines blocked")
    assert found == [None]
    regular = tmp_path / "x.py"
    regular.write_text("a\rb\r\nc")
    assert read_lines(regular) == ["a", "b", "c"]
