"""Judged criteria in the editor: a save sends nothing unless judgeOnSave; the command judges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.gitrepo import init_repo
from support.judge_server import JudgeServer, Reply, serving
from support.lsp_client import SERVER, edit_and_save, line_of, make_client, open_file, wait_until

CORE = '"""Sums."""\n\n\ndef total(values):\n    """Sum the values."""\n    return sum(values)\n'
CHANGED = CORE.replace("    return sum", "    if not values:\n        return 0\n    return sum")
RUBRIC = """reward_rubric {
  criterion docs
  criterion edge_cases check=judge describe="an empty list is handled"
}
checks {
  judge model="tiny-judge"
}
"""


@pytest_asyncio.fixture
async def session(tmp_path: Path) -> AsyncIterator[tuple[LanguageClient, Path, JudgeServer]]:
    """A server on a fresh repository, and a scripted judge it may ask."""
    repo = init_repo(tmp_path / "sums", {"sums.py": CORE, "sums.rubric": RUBRIC})
    with serving(Reply(points=4, citations=("sums.py:6",))) as judge:
        client = make_client()
        await client.start_io(*SERVER, cwd=str(repo))
        yield client, repo, judge
        await client.shutdown_session()
        await client.stop()


def _ended(client: LanguageClient) -> int:
    return sum(
        isinstance(report, types.WorkDoneProgressEnd)
        for reports in client.progress_reports.values()
        for report in reports
    )


@pytest.mark.asyncio
async def test_a_save_does_not_judge_and_the_command_does(
    session: tuple[LanguageClient, Path, JudgeServer],
) -> None:
    client, repo, judge = session
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="sums")],
            initialization_options={"diagnosticDelay": 0, "judgeUrl": judge.url},
        )
    )
    rubric_uri = open_file(client, repo / "sums.rubric", "rubric")
    open_file(client, repo / "sums.py", "python")
    edit_and_save(client, repo / "sums.py", CHANGED, 2)
    await wait_until(lambda: _ended(client) >= 1)
    assert judge.requests == [], "judgeOnSave is off: a save sends nothing"

    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="rubric.score")
    )
    assert len(judge.requests) == 1
    assert "an empty list is handled" in judge.user_text()
    assert result["criteria"]["edge_cases"]["points"] == 4
    assert result["judge"]["requests"] == 1

    line = line_of(RUBRIC, "criterion edge_cases")
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            range=types.Range(types.Position(0, 0), types.Position(10, 0)),
        )
    )
    assert hints is not None
    assert {h.position.line: h.label for h in hints}[line] == "4.0/5 · 0.80"
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            position=types.Position(line, 14),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "What a good change does here: an empty list is handled" in text
    assert "edge_cases looks handled in the diff." in text and "Score: 0.8" in text
    assert "Judge: tiny-judge at " in text and "1 request(s), 120+30 tokens" in text
