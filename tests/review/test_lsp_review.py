"""Labelling from the editor: a save queues the borderline result, a code action opens it as a
rubric pre-filled with the measured points, and saving that document records the label."""

from __future__ import annotations

import ast
import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.lsp_client import (
    SERVER,
    doc,
    edit_and_save,
    make_client,
    open_file,
    position_of,
    wait_until,
)
from support.review_repo import functions, make_repo

from rubric_lsp.scoring.review.queue import ReviewQueue

CLIENTS = ["visual-studio-code", "neovim@v0.11.0"]


@pytest_asyncio.fixture(params=CLIENTS)
async def session(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[LanguageClient, Path]]:
    """A server on a fresh repository, initialised with one real client's capabilities."""
    repo = make_repo(tmp_path / "shapes")
    client = make_client()
    await client.start_io(*SERVER, env=dict(os.environ), cwd=str(repo))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="shapes")],
            initialization_options={"diagnosticDelay": 0},
        )
    )
    yield client, repo
    await client.shutdown_session()
    await client.stop()


async def review_actions(client: LanguageClient, uri: str) -> list[dict[str, Any]]:
    """The code actions on the rubric that open a queued result: their commands."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc(uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    found = []
    for action in actions or []:
        # lsprotocol's client side reads any action with a "command" key as a Command, so a
        # CodeAction carrying a command arrives with that command's object as a string.
        if isinstance(action, types.Command) and action.command.startswith("{"):
            nested = ast.literal_eval(action.command)
            if nested["command"] == "rubric.review":
                found.append({"title": action.title, **nested})
    return found


@pytest.mark.asyncio
async def test_a_queued_result_is_labelled_from_the_editor(
    session: tuple[LanguageClient, Path],
) -> None:
    client, repo = session
    queue = ReviewQueue(repo / ".git")
    rubric_uri = open_file(client, repo / "shapes.rubric", "rubric")
    extra = repo / "extra.py"
    extra.write_text("")
    open_file(client, extra, "python")
    # A save scores the change; the borderline result is queued.
    edit_and_save(client, extra, functions(1, 1, "a"), 2)
    await wait_until(lambda: len(queue.ids()) == 1, timeout=90)
    [review_id] = queue.ids()
    found: list[dict[str, Any]] = []

    async def offered() -> None:
        while not found:
            found.extend(await review_actions(client, rubric_uri))
            await asyncio.sleep(0.1)

    await asyncio.wait_for(offered(), 30)
    [action] = found
    assert action["arguments"] == [review_id] and review_id in action["title"]

    opened = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="rubric.review", arguments=action["arguments"])
    )
    path = Path(opened["path"])
    assert path.parent == repo / ".git" / "rubric-review" / "open"
    assert [shown.uri for shown in client.shown_documents] == [path.as_uri()]
    text = path.read_text()
    # The queued rubric with a score block pre-filled with the measured points.
    assert text.startswith(f"# rubric review {review_id}:")
    assert "criterion docs weight=3" in text
    assert '  docs 1.67 "2 of 3 public definition(s) lack a docstring"' in text
    assert "  edge_cases 5 " in text and text.rstrip().endswith("}")

    uri = open_file(client, path, "rubric")
    # Validation as in any rubric: a misspelt criterion in the label is an error there.
    wrong = text.replace("  docs 1.67", "  doc 2")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=wrong)],
        )
    )
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    [problem] = [d for d in report.items if d.severity == types.DiagnosticSeverity.Error]
    assert problem.code == "undefined-criterion" and "did you mean 'docs'" in problem.message
    # Hover on the label's criterion shows the language's text for it.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=position_of(wrong, "edge_cases 5", 0, 2))
    )
    assert hover is not None and "edge_cases" in str(hover.contents)
    # Completion offers the rubric's criteria in the label's score block.
    typing = wrong.rstrip()[:-1] + "  re\n}\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typing)],
        )
    )
    completion = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=position_of(typing, "  re\n", 0, 4))
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion or []
    assert "readability" in [item.label for item in items]

    labelled = text.replace(
        '  docs 1.67 "2 of 3 public definition(s) lack a docstring"',
        '  docs 2 "one of two helpers documented"',
    )
    runs = len(client.progress_reports)
    edit_and_save(client, path, labelled, 4)
    await wait_until(lambda: bool(queue.get(review_id).labels), timeout=30)
    [label] = queue.get(review_id).labels
    assert label.via == "editor" and label.who == "Ada Reviewer <ada@example.com>"
    assert label.points == {"docs": 2.0, "edge_cases": 5.0, "readability": 5.0}
    assert label.note == "docs: one of two helpers documented"
    await wait_until(lambda: any("label recorded" in m.message for m in client.messages))
    # Saving the review document labels it; it is not a change to score.
    await asyncio.sleep(1)
    assert len(client.progress_reports) == runs
    # The rubric's hover on the criterion now says how far people agree with it, and on what.
    source = (repo / "shapes.rubric").read_text()
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=doc(rubric_uri), position=position_of(source, "docs weight", 0, 1)
        )
    )
    assert hover is not None
    assert "Agreement with people: kappa undefined (quadratic) on 1 labelled" in str(hover.contents)

    # Points outside the scale are not recorded, and the editor says why.
    edit_and_save(client, path, labelled.replace("  docs 2 ", "  docs 9 "), 5)
    await wait_until(lambda: any("label not recorded" in m.message for m in client.messages))
    assert len(queue.get(review_id).labels) == 1
    assert any("outside the scale 0..5" in m.message for m in client.messages)
