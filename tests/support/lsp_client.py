"""Driving a real rubric-lsp process with pytest-lsp's client: documents, edits, diagnostics."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "rubric_lsp.lsp"]
_counter = itertools.count()


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping its publications, registrations and refresh count."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.refreshes = 0  # type: ignore[attr-defined]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    def refresh(client: LanguageClient, params: None) -> None:
        client.refreshes += 1  # type: ignore[attr-defined]

    # VS Code's capabilities, which the tests send, promise that registrations and refresh
    # requests are answered.
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    features[types.WORKSPACE_INLAY_HINT_REFRESH] = refresh
    features[types.WORKSPACE_CODE_LENS_REFRESH] = refresh
    register_lsp_features(client, features)
    return client


def doc(uri: str) -> types.TextDocumentIdentifier:
    """The identifier requests name a document by."""
    return types.TextDocumentIdentifier(uri=uri)


def open_document(client: LanguageClient, text: str, name: str = "doc") -> str:
    """Open a new document; its URI is unique within the test run."""
    uri = f"file:///tmp/rubric-lsp-tests/{name}-{next(_counter)}.rubric"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="rubric", version=1, text=text
            )
        )
    )
    return uri


def replace_text(client: LanguageClient, uri: str, version: int, text: str) -> None:
    """Send the whole new text as one change."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def published_for(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    """Every publishDiagnostics the server sent for a document, in order."""
    return [p for p in client.published if p.uri == uri]  # type: ignore[attr-defined]


async def wait_for_diagnostics(
    client: LanguageClient,
    uri: str,
    until: Callable[[Sequence[types.Diagnostic]], bool] = lambda _: True,
    *,
    version: int | None = None,
    timeout: float = 10.0,
) -> Sequence[types.Diagnostic]:
    """The diagnostics of a document once a publication satisfies ``until`` (and version)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for params in reversed(published_for(client, uri)):
            if (version is None or params.version == version) and until(params.diagnostics):
                return params.diagnostics
            break
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"no matching diagnostics for {uri}: {published_for(client, uri)}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), remaining
            )


def position_of(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """The UTF-16 position of the ``occurrence``-th ``needle`` in ``text``, plus ``offset``."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    column = len(text[line_start:index].encode("utf-16-le")) // 2
    return types.Position(line=line, character=column)


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) to a text, as an editor would."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        start = sum(len(line) + 1 for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return start + index
            units += 2 if ord(char) > 0xFFFF else 1
        return start + len(line)

    spans = sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def open_file(client: LanguageClient, path: Path, language: str) -> str:
    """Open a file of the workspace as an editor does, with its text on disk."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=path.read_text()
            )
        )
    )
    return uri


def edit_and_save(client: LanguageClient, path: Path, text: str, version: int) -> None:
    """What an editor does: change the buffer, write the file, say it was saved."""
    uri = path.as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    path.write_text(text)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def wait_until(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    """Wait until ``predicate()`` holds; a TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


async def only_diagnostic(client: LanguageClient, uri: str, code: str) -> types.Diagnostic:
    """Wait until the document has a diagnostic with ``code``; the one it has."""
    await wait_until(lambda: any(d.code == code for d in client.diagnostics.get(uri, [])))
    (found,) = [d for d in client.diagnostics[uri] if d.code == code]
    return found


def line_of(text: str, needle: str) -> int:
    """The 0-based number of the first line of ``text`` holding ``needle``."""
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


def progress_ends(client: LanguageClient) -> list[str]:
    """The messages that ended the server's work-done progress, in order of token."""
    return [
        report.message or ""
        for reports in client.progress_reports.values()
        for report in reports
        if isinstance(report, types.WorkDoneProgressEnd)
    ]
