"""The rubric language server: document state, a model cache per version, diagnostics."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, cast
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from rubric_lsp import __version__
from rubric_lsp.language import context
from rubric_lsp.language.evaluate import hand_scores
from rubric_lsp.language.model import Diagnostic, Document, ScoreEntry, SymbolTable
from rubric_lsp.language.parser import lark_parser, parse
from rubric_lsp.language.validate import validate
from rubric_lsp.lsp.convert import SOURCE, UTF16, Positions, diagnostic
from rubric_lsp.lsp.incremental import ChunkedParser
from rubric_lsp.lsp.settings import Settings

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
SWITCH_INTERVAL = 0.0005


_freezes = 0
# After this many parses, frozen objects go back to the collector once, so that any
# cyclic garbage frozen along with the models is eventually reclaimed.
UNFREEZE_EVERY = 100


def keep_out_of_young_generation() -> None:
    """Move a freshly parsed model out of reach of the cycle collector's young generations."""
    # The parser builds many small acyclic objects with the collector paused; the next
    # young collection would scan them all (about 100 ms for 10,000 lines) on whichever
    # thread allocates next, often a request on the event loop. Frozen objects are still
    # freed by reference counting when a version is dropped.
    global _freezes
    _freezes += 1
    if _freezes % UNFREEZE_EVERY == 0:
        gc.unfreeze()
    else:
        gc.freeze()


class Snapshot:
    """One version of one open document; parsed on first use, derived views cached."""

    def __init__(
        self,
        uri: str,
        version: int | None,
        text: str,
        encoding: str,
        parser: Callable[[str], Document] = parse,
    ) -> None:
        self.uri = uri
        self.version = version
        self.text = text
        self.encoding = encoding
        self._parser = parser
        self._document: Document | None = None
        self._parse_lock = threading.Lock()
        self.on_parsed: Callable[[Snapshot], None] | None = None

    @property
    def parsed(self) -> bool:
        """Whether the text has been parsed already."""
        return self._document is not None

    @property
    def document(self) -> Document:
        """The parsed model; the first caller parses, concurrent callers wait for it."""
        if self._document is None:
            with self._parse_lock:
                if self._document is None:
                    self._document = self._parser(self.text)
                    keep_out_of_young_generation()
                    if self.on_parsed is not None:
                        self.on_parsed(self)
        return self._document

    @cached_property
    def index(self) -> context.LineIndex:
        """Line starts of the text, counted as the parser counts them."""
        return context.LineIndex(self.text)

    @cached_property
    def positions(self) -> Positions:
        """Position conversion between the model and the client."""
        return Positions(self.index, self.encoding)

    @cached_property
    def diagnostics(self) -> list[Diagnostic]:
        """Syntax and semantic diagnostics of this version."""
        return validate(self.document)

    @cached_property
    def lsp_diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics as LSP sends them."""
        return [diagnostic(item, self.positions) for item in self.diagnostics]

    @cached_property
    def hand_scores(self) -> dict[str, ScoreEntry]:
        """The latest score/rescore entry of each criterion."""
        return hand_scores(self.document)

    @cached_property
    def symbols(self) -> SymbolTable:
        """Criterion definitions and references."""
        return self.document.symbols

    @cached_property
    def tokens(self) -> list[context.Token]:
        """Every token with its role, also where the parser gave up."""
        return context.tokens(self.text)


class ModelCache:
    """The current snapshot of each open document, and the latest one already parsed."""

    # Requests and the diagnostics worker share the snapshots, so each version is parsed
    # at most once; requests that only need names (completion, hover) can use the latest
    # parsed version instead of waiting for a parse of every edit.

    def __init__(self) -> None:
        self._current: dict[str, Snapshot] = {}
        self._parsed: dict[str, Snapshot] = {}
        self._parsers: dict[str, ChunkedParser] = {}
        self._guard = threading.Lock()

    def get(self, uri: str, version: int | None, text: str, encoding: str) -> Snapshot:
        """The snapshot of this exact text (not parsed until its model is needed)."""
        with self._guard:
            cached = self._current.get(uri)
            if (
                cached is not None
                and cached.version == version
                and cached.encoding == encoding
                and (cached.text is text or cached.text == text)
            ):
                return cached
            parser = self._parsers.setdefault(uri, ChunkedParser())
            snapshot = Snapshot(uri, version, text, encoding, parser.parse)
            snapshot.on_parsed = self._remember_parsed
            self._current[uri] = snapshot
            return snapshot

    def _remember_parsed(self, snapshot: Snapshot) -> None:
        with self._guard:
            if self._current.get(snapshot.uri) is None:
                return  # closed meanwhile
            latest = self._parsed.get(snapshot.uri)
            # Versions only grow; an older parse finishing late does not replace a newer one.
            if latest is None or (snapshot.version or 0) >= (latest.version or 0):
                self._parsed[snapshot.uri] = snapshot

    def latest_parsed(self, uri: str) -> Snapshot | None:
        """The newest version of a document that has been parsed, if any."""
        return self._parsed.get(uri)

    def drop(self, uri: str) -> None:
        """Forget a closed document."""
        with self._guard:
            self._current.pop(uri, None)
            self._parsed.pop(uri, None)
            self._parsers.pop(uri, None)


@dataclass
class _Entry:
    version: int | None
    items: list[types.Diagnostic]


@dataclass
class DiagnosticStore:
    """Diagnostics by (source, uri): each source sets and clears its own, push and pull read all."""

    # Sources are e.g. "rubric" for syntax and validation; on-save scoring adds its own.

    _entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    # Bumped on every change of a document's diagnostics: the pull result id.
    _generation: dict[str, int] = field(default_factory=dict)

    def set(
        self, source: str, uri: str, version: int | None, items: list[types.Diagnostic]
    ) -> None:
        """Replace one source's diagnostics of a document."""
        self._entries[(source, uri)] = _Entry(version, items)
        self._generation[uri] = self._generation.get(uri, 0) + 1

    def clear(self, source: str, uri: str) -> None:
        """Remove one source's diagnostics of a document."""
        if self._entries.pop((source, uri), None) is not None:
            self._generation[uri] = self._generation.get(uri, 0) + 1

    def clear_document(self, uri: str) -> None:
        """Remove every source's diagnostics of a document."""
        for key in [key for key in self._entries if key[1] == uri]:
            del self._entries[key]
        self._generation[uri] = self._generation.get(uri, 0) + 1

    def get(self, source: str, uri: str) -> tuple[int | None, list[types.Diagnostic]] | None:
        """One source's (version, diagnostics) of a document, if it has any."""
        entry = self._entries.get((source, uri))
        return (entry.version, entry.items) if entry else None

    def items(self, uri: str, exclude: frozenset[str] = frozenset()) -> list[types.Diagnostic]:
        """All diagnostics of a document, source by source, but for excluded sources."""
        found: list[types.Diagnostic] = []
        for (source, entry_uri), entry in sorted(self._entries.items()):
            if entry_uri == uri and source not in exclude:
                found.extend(entry.items)
        return found

    def sources(self) -> frozenset[str]:
        """Every source that holds diagnostics."""
        return frozenset(source for source, _ in self._entries)

    def result_id(self, uri: str) -> str:
        """An id that changes whenever the document's diagnostics change."""
        return str(self._generation.get(uri, 0))


class RubricLanguageServer(LanguageServer):
    """The language server for .rubric files."""

    def __init__(self) -> None:
        super().__init__(
            "rubric-lsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.settings = Settings()
        # What initializationOptions gave: workspace/configuration values apply over it.
        self.initial_settings = Settings()
        self.initial_problems: list[str] = []
        self.models = ModelCache()
        self.diagnostics = DiagnosticStore()
        # Parsing and validation run off the event loop so requests stay fast.
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rubric-check")
        # Build the grammar while the client initializes, not on the first didOpen.
        self.worker.submit(lark_parser)
        # Called when settings change, e.g. to check open documents again.
        self.settings_listeners: list[Callable[[], None]] = []
        # More hover text for a criterion: (uri, criterion name) -> markdown or None.
        self.criterion_hover_extras: list[Callable[[str, str], str | None]] = []
        # More code actions for a document: uri -> actions.
        self.code_action_extras: list[Callable[[str], list[types.CodeAction]]] = []
        # Awaited once the client has sent `initialized` and settings are read.
        self.initialized_hooks: list[Callable[[], Awaitable[None]]] = []

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
        return self.models.get(uri, document.version, document.source, self.encoding)

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


def is_rubric(document: TextDocument) -> bool:
    """Whether an open document is a rubric, by its language id or its name."""
    return document.language_id == "rubric" or document.uri.endswith(".rubric")


def guarded(what: str, default: Callable[[], Any]) -> Callable[[F], F]:
    """Wrap a request handler so an exception becomes an empty result and a log line."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def run(ls: RubricLanguageServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as error:
                ls.report_failure(what, error)
                return default()

        return cast(F, run)

    return decorate


def create_server() -> RubricLanguageServer:
    """A server with every feature registered."""
    from rubric_lsp.lsp.features import (
        actions,
        completion,
        configuration,
        diagnostics,
        formatting,
        hover,
        navigation,
        scoring,
        symbols,
        tokens,
    )

    server = RubricLanguageServer()
    for module in (
        configuration,
        diagnostics,
        completion,
        hover,
        navigation,
        symbols,
        formatting,
        actions,
        tokens,
        scoring,
    ):
        module.register(server)
    return server


def main(argv: list[str] | None = None) -> int:
    """Run the server on stdio, or on TCP for debugging."""
    parser = argparse.ArgumentParser(
        prog="rubric-lsp", description="Language server for .rubric files (stdio by default)."
    )
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    # Clients such as vscode-languageclient append --stdio; it is the default anyway.
    parser.add_argument("--stdio", action="store_true", help="talk over stdio (the default)")
    parser.add_argument("--host", default="127.0.0.1", help="TCP address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level of messages written to stderr (default WARNING)",
    )
    parser.add_argument("--version", action="version", version=f"rubric-lsp {__version__}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    # The checker thread holds the GIL while it parses; shorter slices let a request
    # on the event loop run between them instead of waiting 5 ms per slice.
    sys.setswitchinterval(SWITCH_INTERVAL)
    server = create_server()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
