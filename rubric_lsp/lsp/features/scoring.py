"""On-save scoring: run the critics off the event loop and show the result inline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types

from rubric_lsp.lsp import score_view
from rubric_lsp.lsp.feature import Feature, FeatureSet, asks_for, command, request
from rubric_lsp.lsp.scoring_runs import ScoringRuns, uri_path, workspace_root
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.scoring.judge.client import usage_line
from rubric_lsp.scoring.report import to_markdown

SCORE_COMMAND = "rubric.score"
REPORT_COMMAND = "rubric.report"
# Saving these kinds of files scores the change again.
SCORED_SUFFIXES = (".py", ".rubric")


class ScoringFeature(Feature):
    """Score on save and on command; inlay hints, a verdict lens and hover text on the rubric."""

    code_action_kinds = (types.CodeActionKind.Refactor,)

    def __init__(self, server: RubricLanguageServer, features: FeatureSet) -> None:
        super().__init__(server, features)
        self.runs = ScoringRuns(server)

    def document_save(self, params: types.DidSaveTextDocumentParams) -> None:
        if not self.server.settings.score_on_save:
            return
        path = uri_path(params.text_document.uri)
        if path is None or path.suffix not in SCORED_SUFFIXES or not self._in_workspace(path):
            return
        if ".git" in path.parts:
            # A file under the git dir (a review document being labelled) is never the change.
            return
        # Sending code to a judge on every save is the user's choice (judgeOnSave).
        self.runs.start(path, judge=self.server.settings.judge_on_save)

    async def initialized(self, params: types.InitializedParams) -> None:
        self.runs.start_cleanup()
        # Clients send didSave only for documents they sync with this server; ask for
        # Python files too, where the client lets the server register for them.
        ls = self.server
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

    async def shutdown(self) -> None:
        await self.runs.close()

    @command(SCORE_COMMAND)
    async def score_now(self, *args: Any) -> dict[str, Any] | None:
        """Score the change now; the result as JSON, None when it did not finish."""
        task = self.runs.start(None)
        try:
            result = await task
        except asyncio.CancelledError:  # a newer run took its place
            return None
        return result.to_json() if result is not None else None

    @command(REPORT_COMMAND)
    def report(self, *args: Any) -> str:
        """The last result as Markdown."""
        last = self.runs.last
        if last is None:
            return "No score yet: save a file or run “Rubric: Score now”."
        return to_markdown(last)

    @request(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    def inlay_hints(self, params: types.InlayHintParams) -> list[types.InlayHint]:
        """The measured score after each criterion's definition."""
        runs, uri = self.runs, params.text_document.uri
        if runs.last is None or uri != runs.rubric_uri:
            return []
        document = runs.current_rubric(uri) or runs.last.document
        start, end = params.range.start.line, params.range.end.line
        return [
            hint
            for hint in score_view.inlay_hints(runs.last, document, self.server.codec)
            if start <= hint.position.line <= end
        ]

    def code_lenses(self, params: types.CodeLensParams) -> list[types.CodeLens]:
        # The current version, never an older parse: its ranges may lie past the new text.
        snapshot = self.server.snapshot(params.text_document.uri)
        if snapshot is None:
            return []
        runs = self.runs
        result = runs.last if params.text_document.uri == runs.rubric_uri else None
        return score_view.code_lenses(result, snapshot.document, runs.running, self.server.codec)

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        runs = self.runs
        if runs.last is None or runs.last_root is None or uri != runs.rubric_uri:
            return []
        text = score_view.hover_markdown(runs.last, criterion, runs.last_root)
        scored = runs.last.criteria.get(criterion)
        if text and scored is not None and scored.check == "judge" and runs.last.judge:
            text += f"\n\nJudge: {usage_line(runs.last.judge)}"
        return [text] if text else []

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Insert the measured score block, and a critique of the weak criteria."""
        runs, uri = self.runs, params.text_document.uri
        if not asks_for(params.context.only, types.CodeActionKind.Refactor):
            return []
        if runs.last is None or uri != runs.rubric_uri:
            return []
        snapshot = self.server.snapshot(uri)
        if snapshot is None:
            return []
        lines = snapshot.document.lines
        end_line = len(lines) - 1
        end = self.server.codec.position(lines, end_line, len(lines[end_line]))
        separator = "\n" if lines[end_line] == "" else "\n\n"
        score_block, critique_block = score_view.measured_blocks(runs.last)
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

    def _in_workspace(self, path: Path) -> bool:
        root = workspace_root(self.server, path)
        if root is None:
            return False
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            return False
        return True
