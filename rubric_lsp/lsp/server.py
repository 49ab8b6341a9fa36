"""The rubric language server's state: settings, open documents' snapshots, diagnostics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from rubric_lsp import __version__
from rubric_lsp.language.parser import lark_parser
from rubric_lsp.lsp.convert import SOURCE, UTF16, Codec
from rubric_lsp.lsp.diagnostic_store import DiagnosticStore
from rubric_lsp.lsp.protocol import (
    PipeWriter,
    RubricProtocol,
    serve_connection,
    serve_stream,
)
from rubric_lsp.lsp.settings import Settings
from rubric_lsp.lsp.snapshot import ModelCache, Snapshot
from rubric_lsp.lsp.textsync import LspTextDocument

logger = logging.getLogger(__name__)


class RubricLanguageServer(LanguageServer):
    """The language server for .rubric files."""

    def __init__(self, after_parse: Callable[[], None] = lambda: None) -> None:
        super().__init__(
            "rubric-lsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=RubricProtocol,
        )
        self.settings = Settings()
        self.models = ModelCache(after_parse, lambda uri: self.open_document(uri) is not None)
        self.diagnostics = DiagnosticStore()
        # Parsing and validation run off the event loop so requests stay fast.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rubric-check")
        # Build the grammar while the client initializes, not on the first didOpen.
        self.worker.submit(lark_parser)

    @property
    def rpc(self) -> RubricProtocol:
        """The JSON-RPC protocol, with the server's own reading of messages."""
        assert isinstance(self.protocol, RubricProtocol)
        return self.protocol

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio, reading messages with the server's own framing."""
        self._stop_event = threading.Event()
        try:
            asyncio.run(self._serve_stdio(stdin or sys.stdin.buffer, stdout or sys.stdout.buffer))
        except BrokenPipeError:
            logger.error("the client closed the connection")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    async def _serve_stdio(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        pipe = await PipeWriter.connect(stdout, stdin)
        # pygls awaits a writer's close when it returns an awaitable, as PipeWriter's does.
        writer: Any = pipe or StdoutWriter(stdout)
        self.protocol.set_writer(writer)
        await serve_stream(self.rpc, stdin)
        # The input ended: the requests read before the end are still answered.
        await self.rpc.handlers_done(PipeWriter.CLOSE_TIMEOUT)
        if pipe is not None:
            await pipe.close()

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client at a time over TCP, with the server's own framing."""
        self._stop_event = stop = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            await serve_connection(self.rpc, reader, stop)
            self.shutdown()  # type: ignore[no-untyped-call]

        async def listen() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(listen())

    @property
    def encoding(self) -> str:
        """The position encoding agreed with the client."""
        try:
            encoding = self.workspace.position_encoding
        except (RuntimeError, AttributeError):  # no workspace before initialize
            return UTF16
        if encoding is None:
            return UTF16
        return str(getattr(encoding, "value", encoding))

    @property
    def codec(self) -> Codec:
        """Columns as the client counts them; every position sent to it goes through this."""
        return Codec(self.encoding)

    @property
    def pull_diagnostics(self) -> bool:
        """Whether the client pulls diagnostics, so pushing them would show them twice."""
        try:
            capabilities = self.client_capabilities
        except AttributeError:
            return False
        document = capabilities.text_document if capabilities else None
        return document is not None and document.diagnostic is not None

    def open_document(self, uri: str) -> TextDocument | None:
        """An open .rubric document, or None (other files get no rubric features)."""
        try:
            documents = self.workspace.text_documents
        except (RuntimeError, AttributeError):
            return None
        found: TextDocument | None = documents.get(unquote(uri)) or documents.get(uri)
        if found is None or not is_rubric(found):
            return None
        return found

    def snapshot(self, uri: str) -> Snapshot | None:
        """The current version of an open document (parsed when its model is first needed)."""
        document = self.open_document(uri)
        if document is None:
            return None
        text, starts = document_text(document)
        return self.models.get(uri, document.version, text, self.encoding, starts)

    def parsed_snapshot(self, uri: str) -> Snapshot | None:
        """A parsed version of an open document, maybe an edit old: enough for names."""
        # The current version is parsed here only when no version has been parsed yet.
        current = self.snapshot(uri)
        if current is None:
            return None
        if current.parsed:
            return current
        latest = self.models.latest_parsed(uri)
        if latest is not None:
            return latest
        _ = current.document
        return current

    @property
    def pulled_sources(self) -> frozenset[str] | None:
        """The diagnostic sources a client pulls; None: it pulls every source."""
        if not self.pull_diagnostics:
            return frozenset()
        workspace = self.client_capabilities.workspace
        support = workspace.diagnostics if workspace else None
        if support is not None and support.refresh_support:
            return None
        # A pull client that cannot be asked to pull again would only see a scoring run's
        # findings after the next edit: those are pushed to it instead.
        return frozenset({SOURCE})

    def publish(self, uri: str) -> None:
        """Send a document's diagnostics: push what the client does not pull, refresh the rest."""
        pulled = self.pulled_sources
        if pulled is None:
            self.workspace_diagnostic_refresh(None)
            return
        entry = self.diagnostics.get(SOURCE, uri)
        version = entry[0] if entry else None
        if SOURCE in pulled:
            version = None  # the pushed set holds no diagnostic of that version
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=self.diagnostics.items(uri, exclude=pulled)
            )
        )

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log errors outside requests (e.g. a change to a document never opened)."""
        # pygls would show them in a message box; they are of no use to the person typing.
        logger.error("%s: %s", getattr(source, "__name__", source), error)
        with contextlib.suppress(Exception):
            self.log(f"rubric-lsp: {error}", types.MessageType.Error)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """Write to the client's output log."""
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def report_failure(self, what: str, error: BaseException) -> None:
        """Log a handler failure without failing the request."""
        logger.exception("%s failed", what, exc_info=error)
        try:
            self.log(
                f"rubric-lsp: {what} failed: {type(error).__name__}: {error}",
                types.MessageType.Error,
            )
        except Exception:  # the client may be gone; the failure is logged above
            logger.debug("could not send the failure to the client", exc_info=True)


def document_text(document: TextDocument) -> tuple[str, list[int] | None]:
    """A document's text and, when the server keeps them, its line starts (one pair)."""
    if isinstance(document, LspTextDocument):
        lines = document.text_lines
        return lines.text, lines.starts
    return document.source, None


def is_rubric(document: TextDocument) -> bool:
    """Whether an open document is a rubric, by its language id or its name."""
    return document.language_id == "rubric" or document.uri.endswith(".rubric")
