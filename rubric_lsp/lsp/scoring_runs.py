"""Scoring runs for the server: one in flight at a time, the last result shown in the editor."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types

from rubric_lsp.language.model import Document
from rubric_lsp.lsp import score_view
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.scoring.critic import registry
from rubric_lsp.scoring.engine import Progress, ScoreResult, run_scoring
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.options import ScoreOptions, shared_values
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.pylint_worker import PylintWorker
from rubric_lsp.scoring.reaper import reap

UNTRUSTED_HINT = (
    'set "trusted": true in the rubric-lsp settings (VS Code: trust the workspace) '
    "to run code from this workspace"
)


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


def options_for(
    ls: RubricLanguageServer, root: Path, pylint: PylintWorker, judge: bool = True
) -> ScoreOptions:
    """Scoring options from the server's settings; ``judge``: whether to ask the judge."""
    settings = ls.settings
    rubric = settings.rubric
    if rubric and not Path(rubric).is_absolute():
        rubric = str(root / rubric)
    return ScoreOptions(
        **{**shared_values(settings), "rubric": rubric},
        repo=root,
        untrusted_hint=UNTRUSTED_HINT,
        pylint_runner=pylint,
        judge=judge,
        queue_review=True,
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


class ScoringRuns:
    """The server's one scoring run in flight, and what the last finished run found."""

    def __init__(self, server: RubricLanguageServer) -> None:
        self.server = server
        self.run_id = 0
        self.task: asyncio.Task[ScoreResult | None] | None = None
        self.last: ScoreResult | None = None
        self.last_root: Path | None = None
        # URIs that currently show findings, so a later run can clear the ones that lost them.
        self.finding_uris: set[str] = set()
        self.rubric_uri: str | None = None
        self.pylint = PylintWorker()
        self.cleanup: asyncio.Task[list[Path]] | None = None

    def start_cleanup(self) -> None:
        """Remove, once and in the background, what killed runs left (see reaper.reap)."""
        if self.cleanup is None:
            self.cleanup = asyncio.get_running_loop().create_task(self._remove_leftovers())

    async def _remove_leftovers(self) -> list[Path]:
        root = workspace_root(self.server)
        git_dir: Path | None = None
        if root is not None:
            with contextlib.suppress(ScoringError, OSError):
                git_dir = (await Repository.find(root)).git_dir
        try:
            # Off the event loop: it reads /proc and removes folders.
            removed = await asyncio.to_thread(reap, git_dir)
        except Exception as error:  # a failed clean-up must not stop the server
            self.server.report_failure("removing leftovers", error)
            return []
        if removed:
            names = ", ".join(str(path) for path in removed)
            self.server.log(f"rubric-lsp: removed what killed scoring runs left: {names}")
        return removed

    @property
    def running(self) -> bool:
        """Whether a run is in flight."""
        return self.task is not None and not self.task.done()

    def start(self, trigger: Path | None, judge: bool = True) -> asyncio.Task[ScoreResult | None]:
        """Score now, cancelling a run in flight (its subprocesses and judge request end too)."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.run_id += 1
        task = asyncio.get_running_loop().create_task(self._run(self.run_id, trigger, judge))
        self.task = task
        self._refresh_lenses()
        return task

    async def close(self) -> None:
        """Cancel the run in flight, let its cleanup finish, and end the pylint worker."""
        task = self.task
        if task is not None and not task.done():
            task.cancel()
            # Its cleanup removes the temporary checkout and ends the critics' processes.
            await asyncio.wait({task}, timeout=15)
        if self.cleanup is not None:
            await asyncio.wait({self.cleanup}, timeout=5)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.pylint.close(), 5)

    async def _run(self, run_id: int, trigger: Path | None, judge: bool) -> ScoreResult | None:
        ls = self.server
        root = workspace_root(ls, trigger)
        if root is None:
            ls.log("rubric-lsp: no workspace folder to score")
            return None
        reporter = _ProgressReporter(ls)
        await reporter.begin("Rubric score", f"scoring the change in {root.name}")
        try:
            # The critics' modules (scipy among them) take seconds to import the first
            # time: import them off the loop, so the run's own call finds them loaded.
            await asyncio.to_thread(registry)
            result = await run_scoring(
                options_for(ls, root, self.pylint, judge), progress=reporter.report
            )
        except asyncio.CancelledError:
            reporter.end("cancelled: a newer save scores again")
            raise
        except ScoringError as error:
            reporter.end(f"not scored: {error}")
            if run_id == self.run_id:
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
        if run_id != self.run_id:
            reporter.end("superseded")
            return None  # a newer run started while this one finished: never publish over it
        # Findings are placed on the lines of the files they are in: read off the loop.
        by_uri = await asyncio.to_thread(score_view.finding_diagnostics, result, root, ls.codec)
        if run_id != self.run_id:
            reporter.end("superseded")
            return None
        reporter.end(f"{score_view.verdict_text(result)}; python: {result.python.executable}")
        self.publish(result, root, by_uri)
        return result

    def publish(
        self, result: ScoreResult, root: Path, by_uri: dict[str, list[types.Diagnostic]]
    ) -> None:
        """Show a finished run: findings in source files, scores and verdict in the rubric."""
        ls = self.server
        self.last, self.last_root = result, root
        for uri in self.finding_uris - set(by_uri):
            ls.diagnostics.clear(score_view.SCORE_SOURCE, uri)
            ls.publish(uri)
        rubric_uri = _rubric_uri(result)
        if self.rubric_uri is not None and self.rubric_uri != rubric_uri:
            ls.diagnostics.clear(score_view.SCORE_SOURCE, self.rubric_uri)
            ls.publish(self.rubric_uri)
        for uri, items in by_uri.items():
            if uri == rubric_uri:
                continue
            ls.diagnostics.set(score_view.SCORE_SOURCE, uri, None, items)
            ls.publish(uri)
        self.finding_uris = set(by_uri)
        self.rubric_uri = rubric_uri
        if rubric_uri is not None:
            document = self.current_rubric(rubric_uri) or result.document
            ls.diagnostics.set(
                score_view.SCORE_SOURCE,
                rubric_uri,
                None,
                score_view.rubric_diagnostics(result, document, ls.codec),
            )
            ls.publish(rubric_uri)
        self._refresh_hints()
        self._refresh_lenses()

    def current_rubric(self, uri: str) -> Document | None:
        """The rubric as the editor has it now, when it is open (positions follow edits)."""
        snapshot = self.server.parsed_snapshot(uri)
        return snapshot.document if snapshot is not None else None

    def _refresh_hints(self) -> None:
        workspace = self.server.client_capabilities.workspace
        support = workspace.inlay_hint if workspace else None
        if support is not None and support.refresh_support:
            self.server.workspace_inlay_hint_refresh(None)

    def _refresh_lenses(self) -> None:
        workspace = self.server.client_capabilities.workspace
        support = workspace.code_lens if workspace else None
        if support is not None and support.refresh_support:
            self.server.workspace_code_lens_refresh(None)


def _rubric_uri(result: ScoreResult) -> str | None:
    path = Path(result.rubric)
    return path.resolve().as_uri() if path.is_absolute() and path.is_file() else None
