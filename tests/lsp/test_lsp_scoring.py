"""On-save scoring through the protocol, on a real git repository with real critics."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.app_package import BENCH, CORE, RUBRIC, make_repo
from support.gitrepo import git
from support.lsp_client import (
    SERVER,
    edit_and_save,
    line_of,
    make_client,
    only_diagnostic,
    open_file,
    wait_until,
)

RISKY = (
    CORE
    + '''

def run_line(line: str) -> str:
    """Run a command line through the shell."""
    return subprocess.run(line, shell=True, capture_output=True, text=True, check=True).stdout
'''
)


@pytest_asyncio.fixture
async def session(tmp_path: Path) -> AsyncIterator[tuple[LanguageClient, Path]]:
    """A server started on a fresh repository; options set per test via the marker."""
    repo = make_repo(tmp_path)
    client = make_client()
    env = dict(os.environ, BENCH_SECONDS=os.environ.get("BENCH_SECONDS", "0"))
    await client.start_io(*SERVER, env=env, cwd=str(repo))
    yield client, repo
    await client.shutdown_session()
    await client.stop()


async def start(client: LanguageClient, repo: Path, **options: object) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="project")],
            initialization_options={"diagnosticDelay": 0, **options},
        )
    )


def ended(client: LanguageClient) -> list[types.WorkDoneProgressEnd]:
    return [
        report
        for reports in client.progress_reports.values()
        for report in reports
        if isinstance(report, types.WorkDoneProgressEnd)
    ]


@pytest.mark.asyncio
async def test_save_scores_the_change_and_shows_it_inline(
    session: tuple[LanguageClient, Path],
) -> None:
    client, repo = session
    await start(client, repo, trusted=True)
    core = repo / "app" / "core.py"
    rubric = repo / "project.rubric"
    rubric_uri = open_file(client, rubric, "rubric")
    core_uri = open_file(client, core, "python")
    edit_and_save(client, core, RISKY, 2)

    finding = await only_diagnostic(client, core_uri, "security/B602")
    risky_line = line_of(RISKY, "shell=True")
    assert finding.range.start.line == risky_line
    assert finding.source == "rubric"
    assert "security -0.50" in finding.message
    # Only the findings the change caused: the unchanged import is not blamed.
    assert all(
        d.range.start.line >= line_of(RISKY, "def run_line") for d in client.diagnostics[core_uri]
    )

    # Progress: begun, a report per check, ended with the verdict.
    (token,) = list(client.progress_reports)
    reports = client.progress_reports[token]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    assert sum(isinstance(r, types.WorkDoneProgressReport) for r in reports) >= 3
    assert "weighted" in (client.progress_reports[token][-1].message or "")

    # The rubric: a measured score at each criterion, hover with reasoning steps.
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            range=types.Range(types.Position(0, 0), types.Position(20, 0)),
        )
    )
    assert hints is not None
    labels = {h.position.line: h.label for h in hints}
    security_line = line_of(RUBRIC, "criterion security")
    assert labels[security_line] == "2.5/5 · 0.50"
    assert labels[line_of(RUBRIC, "criterion correctness")] == "5.0/5 · 1.00"
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            position=types.Position(security_line, 14),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Measured:** 0.50" in hover.contents.value
    assert "1. Ran bandit on 1 changed Python file(s)." in hover.contents.value
    assert "Score: 0.5" in hover.contents.value
    assert f"app/core.py:{risky_line + 1}" in hover.contents.value

    # Weak criterion, self-grade far from the measurement, verdict on accept_if.
    await wait_until(
        lambda: any(d.code == "verdict" for d in client.diagnostics.get(rubric_uri, []))
    )
    codes = {d.code: d for d in client.diagnostics[rubric_uri]}
    assert codes["below-threshold"].range.start.line == security_line
    assert codes["self-grade"].message.startswith("self-grade 5, measured 2.5")
    assert codes["self-grade"].range.start.line == line_of(RUBRIC, 'security 5 "no shell')
    assert codes["verdict"].range.start.line == line_of(RUBRIC, "accept_if")

    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=rubric_uri))
    )
    assert lenses and lenses[0].command is not None
    assert lenses[0].command.command == "rubric.score"

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor]),
        )
    )
    assert actions is not None
    by_title = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    insert = by_title["Insert the measured score block"]
    assert insert.edit is not None and insert.edit.changes is not None
    (edit,) = insert.edit.changes[rubric_uri]
    assert edit.new_text.startswith("\nscore {\n  correctness 5 ")
    assert "  security 2.5 " in edit.new_text
    critique = by_title["Insert a critique of the weak criteria"]
    assert critique.edit is not None and critique.edit.changes is not None
    assert "revise security" in critique.edit.changes[rubric_uri][0].new_text

    # Fixing the file clears its findings on the next save.
    edit_and_save(client, core, CORE, 3)
    await wait_until(lambda: not client.diagnostics.get(core_uri))
    report = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="rubric.report")
    )
    assert "security" in report


@pytest.mark.asyncio
async def test_untrusted_workspace_runs_no_workspace_code(
    session: tuple[LanguageClient, Path],
) -> None:
    client, repo = session
    await start(client, repo)  # trusted defaults to false
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="rubric.score")
    )
    assert result is not None
    assert not (repo / "ran-tests.marker").exists()
    assert not (repo / "bench.pid").exists()
    criteria = result["criteria"]
    assert criteria["correctness"]["status"] == "skipped"
    assert "trusted" in criteria["correctness"]["comment"]
    assert criteria["style"]["status"] == "scored"  # static checks still run


@pytest.mark.asyncio
async def test_a_new_save_cancels_the_run_in_flight(
    session: tuple[LanguageClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, repo = session
    bench = repo / "bench.py"
    bench.write_text(BENCH.replace('os.environ.get("BENCH_SECONDS", "0")', '"30"'))
    git(repo, "commit", "-qam", "slow")
    await start(client, repo, trusted=True)
    core = repo / "app" / "core.py"
    open_file(client, core, "python")
    edit_and_save(client, core, RISKY, 2)
    pid_file = repo / "bench.pid"
    await wait_until(lambda: pid_file.exists() and pid_file.read_text().strip() != "", 60)
    first_pid = int(pid_file.read_text())
    pid_file.unlink()
    edit_and_save(client, core, RISKY + "\n", 3)
    await wait_until(lambda: any("cancelled" in (e.message or "") for e in ended(client)), 30)
    # The cancelled run's benchmark process is gone, not left running.
    await wait_until(lambda: not _alive(first_pid), 10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as ended.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.asyncio
async def test_pull_client_without_refresh_gets_findings_pushed(
    session: tuple[LanguageClient, Path],
) -> None:
    client, repo = session
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.text_document is not None and capabilities.workspace is not None
    capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities()
    capabilities.workspace.diagnostics = None  # pulls, but cannot be asked to pull again
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=repo.as_uri(),
            initialization_options={"trusted": False},
        )
    )
    core = repo / "app" / "core.py"
    core_uri = open_file(client, core, "python")
    edit_and_save(client, core, RISKY, 2)
    await wait_until(
        lambda: any(d.code == "security/B602" for d in client.diagnostics.get(core_uri, []))
    )
    # A pull of the same file leaves the pushed findings out, so nothing shows twice.
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=core_uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert list(report.items) == []


def test_stdio_flag_is_accepted() -> None:
    from rubric_lsp.lsp.main import main

    with pytest.raises(SystemExit) as done:
        main(["--stdio", "--version"])
    assert done.value.code == 0


@pytest.mark.asyncio
async def test_sigterm_during_a_run_leaves_no_checkout_or_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / "bench.py").write_text(BENCH.replace('os.environ.get("BENCH_SECONDS", "0")', '"30"'))
    git(repo, "commit", "-qam", "slow")
    (repo / "app" / "core.py").write_text(RISKY)
    client = make_client()
    await client.start_io(*SERVER, cwd=str(repo))
    await start(client, repo, trusted=True)
    pending = asyncio.ensure_future(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command="rubric.score"))
    )
    pid_file = repo / "bench.pid"
    # The benchmark runs on the base, in a temporary checkout, and on the change.
    await wait_until(lambda: pid_file.exists() and pid_file.read_text().strip() != "", 60)
    bench_pid = int(pid_file.read_text())
    server = client._server
    assert server is not None
    server.terminate()
    assert await asyncio.wait_for(server.wait(), 20) == 128 + 15
    await wait_until(lambda: not _alive(bench_pid), 10)
    worktrees = git(repo, "worktree", "list").splitlines()
    assert len(worktrees) == 1, worktrees
    pending.cancel()
    with contextlib.suppress(Exception):
        await client.stop()
