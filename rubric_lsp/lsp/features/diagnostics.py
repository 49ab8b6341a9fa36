"""Diagnostics: pushed on open and change (the latest version wins), cleared on close, pulled."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from rubric_lsp.lsp.convert import SOURCE
from rubric_lsp.lsp.feature import Feature, FeatureSet, request
from rubric_lsp.lsp.server import RubricLanguageServer, document_text
from rubric_lsp.lsp.snapshot import Snapshot


def _is_current(ls: RubricLanguageServer, uri: str, version: int | None, text: str) -> bool:
    document = ls.open_document(uri)
    if document is None or document.version != version:
        return False
    source = document.source
    return source is text or source == text


def _check(
    ls: RubricLanguageServer,
    uri: str,
    version: int | None,
    text: str,
    always: bool = False,
    starts: list[int] | None = None,
) -> Snapshot | None:
    """Parse and validate one version (in the worker thread); skip it if already superseded."""
    if not always and not _is_current(ls, uri, version, text):
        return None  # a newer version is queued behind this one: check that instead
    snapshot = ls.models.get(uri, version, text, ls.encoding, starts)
    _ = snapshot.lsp_diagnostics
    return snapshot


async def _check_later(ls: RubricLanguageServer, uri: str, due: dict[str, float]) -> None:
    loop = asyncio.get_running_loop()
    # Each edit pushes the time back; one check runs once the edits pause.
    while (wait := due.get(uri, 0.0) - loop.time()) > 0:
        await asyncio.sleep(wait)
    due.pop(uri, None)
    document = ls.open_document(uri)
    if document is None:
        return
    version = document.version
    text, starts = document_text(document)
    snapshot = await loop.run_in_executor(ls.worker, _check, ls, uri, version, text, False, starts)
    # A newer version may have arrived while this one was checked: never publish over it.
    if snapshot is None or not _is_current(ls, uri, version, text):
        return
    ls.diagnostics.set(SOURCE, uri, version, snapshot.lsp_diagnostics)
    ls.publish(uri)


class DiagnosticsFeature(Feature):
    """Push diagnostics on open/change, clear them on close, and answer pulls."""

    def __init__(self, server: RubricLanguageServer, features: FeatureSet) -> None:
        super().__init__(server, features)
        # The check of each document not yet published; a newer version cancels it.
        self.pending: dict[str, asyncio.Task[None]] = {}
        # When each pending check may start (event loop time); edits push it back.
        self.due: dict[str, float] = {}

    def settings_changed(self) -> None:
        try:
            uris = list(self.server.workspace.text_documents)
        except RuntimeError:
            return
        for uri in uris:
            self.schedule(uri, 0)

    def document_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self.schedule(params.text_document.uri, 0)

    def document_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self.schedule(params.text_document.uri, self.server.settings.diagnostic_delay)

    def document_close(self, params: types.DidCloseTextDocumentParams) -> None:
        ls, uri = self.server, params.text_document.uri
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.due.pop(uri, None)
        ls.models.drop(uri)
        ls.diagnostics.clear_document(uri)
        ls.publish(uri)

    def schedule(self, uri: str, delay_ms: int) -> None:
        """Check a document soon, superseding a check of an older version not yet done."""
        ls = self.server
        if ls.pull_diagnostics:
            return
        loop = asyncio.get_running_loop()
        waiting = uri in self.due
        self.due[uri] = loop.time() + delay_ms / 1000
        previous = self.pending.get(uri)
        if previous is not None and waiting and not previous.done():
            return  # still waiting: it will check the newer version
        if previous is not None:
            del self.pending[uri]
            previous.cancel()
        task = loop.create_task(_check_later(ls, uri, self.due))
        self.pending[uri] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self.pending.get(uri) is finished:
                del self.pending[uri]
            if not finished.cancelled() and finished.exception() is not None:
                ls.report_failure(f"checking {uri}", finished.exception() or Exception())

        task.add_done_callback(done)

    @request(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def pull(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        """The diagnostics of one document, for clients that pull them."""
        ls, uri = self.server, params.text_document.uri
        document = ls.open_document(uri)
        if document is not None:
            version = document.version
            text, starts = document_text(document)
            loop = asyncio.get_running_loop()
            try:
                snapshot = await loop.run_in_executor(
                    ls.worker, _check, ls, uri, version, text, True, starts
                )
            except Exception as error:
                ls.report_failure("textDocument/diagnostic", error)
                return types.RelatedFullDocumentDiagnosticReport(items=[])
            assert snapshot is not None
            stored = ls.diagnostics.get(SOURCE, uri)
            if stored is None or stored[0] != version or stored[1] is not snapshot.lsp_diagnostics:
                ls.diagnostics.set(SOURCE, uri, version, snapshot.lsp_diagnostics)
        result_id = ls.diagnostics.result_id(uri)
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        pulled = ls.pulled_sources
        # Sources pushed to this client are left out, so nothing shows twice.
        pushed = ls.diagnostics.sources() - pulled if pulled else frozenset()
        return types.RelatedFullDocumentDiagnosticReport(
            items=ls.diagnostics.items(uri, exclude=pushed), result_id=result_id
        )
