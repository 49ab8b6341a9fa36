"""On-save scoring: run the critics off the event loop and show the result inline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types

from rubric_lsp.language.model import Document
from rubric_lsp.language.positions import to_utf16_character
from rubric_lsp.lsp import score_view
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.scoring.engine import Progress, ScoreOptions, ScoreResult, run_scoring
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.pylint_worker import PylintWorker
from rubric_lsp.scoring.report import to_markdown

SCORE_COMMAND = "rubric.score"
REPORT_COMMAND = "rubric.report"
UNTRUSTED_HINT = (
    'set "trusted": true in the rubric-lsp settings (VS Code: trust the workspace) '
    "to run code from this workspace"
)
# Saving these kinds of files scores the change again.
SCORED_SUFFIXES = (".py", ".rubric")


@dataclass
class ScoringState:
    """The server's one scoring run in flight, and what the last finished run found."""

    run_id: int = 0
    task: asyncio.Task[ScoreResult | None] | None = None
    last: ScoreResult | None = None
    last_root: Path | None = None
    # URIs that currently show findings, so a later run can clear the ones that lost them.
    finding_uris: set[str] = field(default_factory=set)
    rubric_uri: str | None = None
    pylint: PylintWorker = field(default_factory=PylintWorker)

    @property
    def running(self) -> bool:
        """Whether a run is in flight."""
        return self.task is not None and not self.task.done()


def state_of(ls: RubricLanguageServer) -> ScoringState:
    """The scoring state kept on the server."""
    state: ScoringState | None = getattr(ls, "scoring", None)
    if state is None:
        state = ScoringState()
        ls.scoring = state  # type: ignore[attr-defined]
    return state


def uri_path(uri: str) -> Path | None:
    """The local path of a file: URI."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def workspace_root(ls: RubricLanguageServer, near: Path | None = None) -> Path | None:
    """The workspace folder, else the folder of the file that triggered a run."""
    with contextlib.suppress(RuntimeError, AttributeError):
        root = ls.workspace.root_path
        if root:
            return Path(root)
    return near.parent if near is not None else None


def options_for(ls: RubricLanguageServer, root: Path, state: ScoringState) -> ScoreOptions:
    """Scoring options from the server's settings."""
    settings = ls.settings
    rubric = settings.rubric or None
    if rubric is not None and not Path(rubric).is_absolute():
        rubric = str(root / rubric)
    return ScoreOptions(
        repo=root,
        rubric=rubric,
        base=settings.base,
        trusted=settings.trusted,
        heal_threshold=settings.heal_threshold,
        enabled={name: critic.enabled for name, critic in settings.critics.items()},
        timeouts={
            name: critic.timeout
            for name, critic in settings.critics.items()
            if critic.timeout is not None
        },
        untrusted_hint=UNTRUSTED_HINT,
        pylint_runner=state.pylint,
    )


class _ProgressReporter:
    """Work-done progress for one run, when the client supports it."""

    def __init__(self, ls: RubricLanguageServer) -> None:
        self.ls = ls
        self.token: str | None = None

    async def begin(self, title: str, message: str) -> None:
        window = self.ls.client_capabilities.window
        if window is None or not window.work_done_progress:
            return
        token = f"rubric-score-{uuid.uuid4().hex}"
        try:
            # Shielded: a run cancelled while the client answers must not cancel the
            # request's future, or the answer arrives for a future already done.
            await asyncio.shield(self.ls.work_done_progress.create_async(token))
        except Exception as error:  # a client that refuses keeps working without progress
            self.ls.report_failure("window/workDoneProgress/create", error)
            return
        self.token = token
        self.ls.work_done_progress.begin(
            token, types.WorkDoneProgressBegin(title=title, message=message, percentage=0)
        )

    def report(self, progress: Progress) -> None:
        if self.token is None:
            return
        score = "" if progress.score is None else f" {progress.score:.2f}"
        self.ls.work_done_progress.report(
            self.token,
            types.WorkDoneProgressReport(
                message=f"{progress.check}: {progress.status}{score} "
                f"({progress.done}/{progress.total})",
                percentage=int(100 * progress.done / max(1, progress.total)),
            ),
        )

    def end(self, message: str) -> None:
        if self.token is None:
            return
        token, self.token = self.token, None
        self.ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))


def start_run(ls: RubricLanguageServer, trigger: Path | None) -> asyncio.Task[ScoreResult | None]:
    """Score now, cancelling a run in flight (its subprocesses end with it)."""
    state = state_of(ls)
    if state.task is not None and not state.task.done():
        state.task.cancel()
    state.run_id += 1
    task = asyncio.get_running_loop().create_task(_run(ls, state.run_id, trigger))
    state.task = task
    _refresh_lenses(ls)
    return task


async def _run(ls: RubricLanguageServer, run_id: int, trigger: Path | None) -> ScoreResult | None:
    state = state_of(ls)
    root = workspace_root(ls, trigger)
    if root is None:
        ls.log("rubric-lsp: no workspace folder to score")
        return None
    reporter = _ProgressReporter(ls)
    await reporter.begin("Rubric score", f"scoring the change in {root.name}")
    try:
        result = await run_scoring(options_for(ls, root, state), progress=reporter.report)
    except asyncio.CancelledError:
        reporter.end("cancelled: a newer save scores again")
        raise
    except ScoringError as error:
        reporter.end(f"not scored: {error}")
        if run_id == state.run_id:
            ls.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"rubric-lsp: {error}"
                )
            )
        return None
    except Exception as error:
        reporter.end("failed")
        ls.report_failure("scoring", error)
        return None
    if run_id != state.run_id:
        reporter.end("superseded")
        return None  # a newer run started while this one finished: never publish over it
    reporter.end(score_view.verdict_text(result))
    publish_result(ls, result, root)
    return result


def publish_result(ls: RubricLanguageServer, result: ScoreResult, root: Path) -> None:
    """Show a finished run: findings in source files, scores and verdict in the rubric."""
    state = state_of(ls)
    state.last, state.last_root = result, root
    by_uri = score_view.finding_diagnostics(result, root)
    for uri in state.finding_uris - set(by_uri):
        ls.diagnostics.clear(score_view.SCORE_SOURCE, uri)
        ls.publish(uri)
    rubric_uri = _rubric_uri(result)
    if state.rubric_uri is not None and state.rubric_uri != rubric_uri:
        ls.diagnostics.clear(score_view.SCORE_SOURCE, state.rubric_uri)
        ls.publish(state.rubric_uri)
    for uri, items in by_uri.items():
        if uri == rubric_uri:
            continue
        ls.diagnostics.set(score_view.SCORE_SOURCE, uri, None, items)
        ls.publish(uri)
    state.finding_uris = set(by_uri)
    state.rubric_uri = rubric_uri
    if rubric_uri is not None:
        document = _current_rubric(ls, rubric_uri) or result.document
        ls.diagnostics.set(
            score_view.SCORE_SOURCE,
            rubric_uri,
            None,
            score_view.rubric_diagnostics(result, document),
        )
        ls.publish(rubric_uri)
    _refresh_hints(ls)
    _refresh_lenses(ls)


def _rubric_uri(result: ScoreResult) -> str | None:
    path = Path(result.rubric)
    return path.resolve().as_uri() if path.is_absolute() and path.is_file() else None


def _current_rubric(ls: RubricLanguageServer, uri: str) -> Document | None:
    """The rubric as the editor has it now, when it is open (positions follow edits)."""
    snapshot = ls.parsed_snapshot(uri)
    return snapshot.document if snapshot is not None else None


def _refresh_hints(ls: RubricLanguageServer) -> None:
    workspace = ls.client_capabilities.workspace
    support = workspace.inlay_hint if workspace else None
    if support is not None and support.refresh_support:
        ls.workspace_inlay_hint_refresh(None)


def _refresh_lenses(ls: RubricLanguageServer) -> None:
    workspace = ls.client_capabilities.workspace
    support = workspace.code_lens if workspace else None
    if support is not None and support.refresh_support:
        ls.workspace_code_lens_refresh(None)


def hover_text(ls: RubricLanguageServer, uri: str, criterion: str) -> str | None:
    """Measured score, steps and findings of a criterion, for the rubric's hover."""
    state = state_of(ls)
    if state.last is None or state.last_root is None or uri != state.rubric_uri:
        return None
    return score_view.hover_markdown(state.last, criterion, state.last_root)


def score_actions(ls: RubricLanguageServer, uri: str) -> list[types.CodeAction]:
    """Insert the measured score block, and a critique of the weak criteria."""
    state = state_of(ls)
    if state.last is None or uri != state.rubric_uri:
        return []
    snapshot = ls.snapshot(uri)
    if snapshot is None:
        return []
    lines = snapshot.document.lines
    end_line = len(lines) - 1
    end = types.Position(end_line, to_utf16_character(lines[end_line], len(lines[end_line])))
    separator = "\n" if lines[end_line] == "" else "\n\n"
    score_block, critique_block = score_view.measured_blocks(state.last)
    actions = []
    for title, text in (
        ("Insert the measured score block", score_block),
        ("Insert a critique of the weak criteria", critique_block),
    ):
        if text is None:
            continue
        edit = types.TextEdit(range=types.Range(end, end), new_text=separator + text)
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.Refactor,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            )
        )
    return actions


_terminating: list[asyncio.Task[None]] = []


def _terminate_soon(ls: RubricLanguageServer, signum: int) -> None:
    # Kept referenced: a task nobody holds may be collected before it runs.
    _terminating.append(asyncio.ensure_future(_terminate(ls, signum)))


async def _terminate(ls: RubricLanguageServer, signum: int) -> None:
    """Cancel the run in flight, let its cleanup finish, then exit as the signal asks."""
    state = state_of(ls)
    task = state.task
    if task is not None and not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=15)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(state.pylint.close(), 5)
    sys.stdout.flush()
    # The thread that reads stdin would keep the process alive: leave at once.
    os._exit(128 + signum)


def _in_workspace(ls: RubricLanguageServer, path: Path) -> bool:
    root = workspace_root(ls, path)
    if root is None:
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def register(server: RubricLanguageServer) -> None:
    """Score on save and on command; inlay hints and a verdict lens on the rubric."""

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: RubricLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        if not ls.settings.score_on_save:
            return
        path = uri_path(params.text_document.uri)
        if path is None or path.suffix not in SCORED_SUFFIXES or not _in_workspace(ls, path):
            return
        start_run(ls, path)

    async def watch_python_saves() -> None:
        # Clients send didSave only for documents they sync with this server; ask for
        # Python files too, where the client lets the server register for them.
        ls = server
        synchronization = (
            ls.client_capabilities.text_document.synchronization
            if ls.client_capabilities.text_document
            else None
        )
        if synchronization is None or not synchronization.dynamic_registration:
            return
        options = types.TextDocumentSaveRegistrationOptions(
            document_selector=[
                types.TextDocumentFilterLanguage(language="python"),
                types.TextDocumentFilterPattern(pattern="**/*.rubric"),
            ],
            include_text=False,
        )
        registration = types.Registration(
            id="rubric-save", method=types.TEXT_DOCUMENT_DID_SAVE, register_options=options
        )
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception as error:
            # Not every client that claims dynamic registration answers it; saves of the
            # documents it does sync still score.
            ls.log(f"rubric-lsp: could not register for Python saves: {error}")

    async def end_runs_on_termination() -> None:
        # Editors end servers with SIGTERM (SIGHUP when a terminal closes). Without this the
        # process would die mid-run, leaving a temporary checkout registered with git and
        # the critics' processes (in sessions of their own) running.
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None:
                loop.add_signal_handler(signum, _terminate_soon, server, signum)

    server.initialized_hooks.append(watch_python_saves)
    server.initialized_hooks.append(end_runs_on_termination)
    server.criterion_hover_extras.append(lambda uri, name: hover_text(server, uri, name))
    server.code_action_extras.append(lambda uri: score_actions(server, uri))

    @server.command(SCORE_COMMAND)
    async def score_now(ls: RubricLanguageServer, *args: Any) -> dict[str, Any] | None:
        task = start_run(ls, None)
        try:
            result = await task
        except asyncio.CancelledError:
            return None
        return result.to_json() if result is not None else None

    @server.command(REPORT_COMMAND)
    def report(ls: RubricLanguageServer, *args: Any) -> str:
        last = state_of(ls).last
        if last is None:
            return "No score yet: save a file or run “Rubric: Score now”."
        return to_markdown(last)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    def inlay_hints(
        ls: RubricLanguageServer, params: types.InlayHintParams
    ) -> list[types.InlayHint]:
        state = state_of(ls)
        uri = params.text_document.uri
        if state.last is None or uri != state.rubric_uri:
            return []
        document = _current_rubric(ls, uri) or state.last.document
        start, end = params.range.start.line, params.range.end.line
        return [
            hint
            for hint in score_view.inlay_hints(state.last, document)
            if start <= hint.position.line <= end
        ]

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: RubricLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        snapshot = ls.parsed_snapshot(params.text_document.uri)
        if snapshot is None:
            return []
        state = state_of(ls)
        result = state.last if params.text_document.uri == state.rubric_uri else None
        return score_view.code_lenses(result, snapshot.document, state.running)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: RubricLanguageServer, params: Any) -> None:
        state = state_of(ls)
        if state.task is not None:
            state.task.cancel()
        await state.pylint.close()
