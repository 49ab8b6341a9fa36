"""Diagnostics: pushed on open and change (the latest version wins), cleared on close, pulled."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from rubric_lsp.lsp.convert import SOURCE
from rubric_lsp.lsp.server import RubricLanguageServer, Snapshot

_pending: dict[str, asyncio.Task[None]] = {}


def _is_current(ls: RubricLanguageServer, uri: str, version: int | None, text: str) -> bool:
    document = ls.open_document(uri)
    if document is None or document.version != version:
        return False
    source = document.source
    return source is text or source == text


def _check(
    ls: RubricLanguageServer, uri: str, version: int | None, text: str, always: bool = False
) -> Snapshot | None:
    """Parse and validate one version (in the worker thread); skip it if already superseded."""
    if not always and not _is_current(ls, uri, version, text):
        return None  # a newer version is queued behind this one: check that instead
    snapshot = ls.models.get(uri, version, text, ls.encoding)
    _ = snapshot.lsp_diagnostics
    return snapshot


async def _check_later(ls: RubricLanguageServer, uri: str, delay_ms: int) -> None:
    if delay_ms:
        await asyncio.sleep(delay_ms / 1000)
    document = ls.open_document(uri)
    if document is None:
        return
    version, text = document.version, document.source
    loop = asyncio.get_running_loop()
    snapshot = await loop.run_in_executor(ls.worker, _check, ls, uri, version, text)
    # A newer version may have arrived while this one was checked: never publish over it.
    if snapshot is None or not _is_current(ls, uri, version, text):
        return
    ls.diagnostics.set(SOURCE, uri, version, snapshot.lsp_diagnostics)
    ls.publish(uri)


def schedule(ls: RubricLanguageServer, uri: str, delay_ms: int) -> None:
    """Check a document soon, superseding a check of an older version not yet done."""
    if ls.pull_diagnostics:
        return
    previous = _pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    task = asyncio.get_running_loop().create_task(_check_later(ls, uri, delay_ms))
    _pending[uri] = task

    def done(finished: asyncio.Task[None]) -> None:
        if _pending.get(uri) is finished:
            del _pending[uri]
        if not finished.cancelled() and finished.exception() is not None:
            ls.report_failure(f"checking {uri}", finished.exception() or Exception())

    task.add_done_callback(done)


def register(server: RubricLanguageServer) -> None:
    """Push diagnostics on open/change, clear them on close, and answer pulls."""

    def recheck_open_documents() -> None:
        try:
            uris = list(server.workspace.text_documents)
        except RuntimeError:
            return
        for uri in uris:
            schedule(server, uri, 0)

    server.settings_listeners.append(recheck_open_documents)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RubricLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RubricLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(ls, params.text_document.uri, ls.settings.diagnostic_delay)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RubricLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = _pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.models.drop(uri)
        ls.diagnostics.clear_document(uri)
        ls.publish(uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def pull(
        ls: RubricLanguageServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        document = ls.open_document(uri)
        if document is not None:
            version, text = document.version, document.source
            loop = asyncio.get_running_loop()
            try:
                snapshot = await loop.run_in_executor(
                    ls.worker, _check, ls, uri, version, text, True
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
