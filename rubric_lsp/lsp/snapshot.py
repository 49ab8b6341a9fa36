"""One version of each open document, parsed once on first use, with its derived views."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

from lsprotocol import types

from rubric_lsp.language import context
from rubric_lsp.language.evaluate import hand_scores
from rubric_lsp.language.model import Diagnostic, Document, ScoreEntry, SymbolTable
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.lsp.convert import Positions, diagnostic
from rubric_lsp.lsp.incremental import ChunkedParser

_T = TypeVar("_T")


class Snapshot:
    """One version of one open document; parsed on first use, derived views cached."""

    def __init__(
        self,
        uri: str,
        version: int | None,
        text: str,
        encoding: str,
        parser: Callable[[str], Document] = parse,
        after_parse: Callable[[], None] = lambda: None,
        line_starts: list[int] | None = None,
    ) -> None:
        self.uri = uri
        self.version = version
        self.text = text
        self.encoding = encoding
        self._parser = parser
        self._after_parse = after_parse
        self._line_starts = line_starts
        self._document: Document | None = None
        self._parse_lock = threading.Lock()
        self._remembered: dict[Hashable, Any] = {}
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
                    self._after_parse()
                    if self.on_parsed is not None:
                        self.on_parsed(self)
        return self._document

    def remembered(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """A value derived from this version by a feature, computed once per key."""
        # Features ask the same of one version again and again while the next parses
        # (each criterion's documentation for every completion, say).
        try:
            value: _T = self._remembered[key]
        except KeyError:
            value = self._remembered[key] = compute()
        return value

    @cached_property
    def index(self) -> context.LineIndex:
        """Line starts of the text, counted as the parser counts them."""
        if self._line_starts is not None:
            return context.LineIndex.from_line_starts(self.text, self._line_starts)
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
    def total_weight(self) -> float:
        """The weight of every criterion, each name counted once."""
        seen: set[str] = set()
        total = 0.0
        for criterion in self.document.criteria:
            if criterion.name.text not in seen:
                seen.add(criterion.name.text)
                total += criterion.weight
        return total

    @cached_property
    def block_lines(self) -> list[tuple[int, int, str]]:
        """(first line, last line, keyword) of every block, in order."""
        return [
            (block.range.start.line, block.range.end.line, block.keyword.text)
            for block in self.document.blocks
        ]

    def block_at(self, line: int) -> str | None:
        """The keyword of the block a line is in, if any."""
        lines = self.block_lines
        index = bisect.bisect_right(lines, (line, float("inf"))) - 1
        if index >= 0 and lines[index][0] <= line <= lines[index][1]:
            return lines[index][2]
        return None

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

    def __init__(
        self,
        after_parse: Callable[[], None] = lambda: None,
        is_open: Callable[[str], bool] = lambda uri: True,
    ) -> None:
        # Called after each parse: the entry point's memory policy for fresh models.
        self._after_parse = after_parse
        # Whether a document is still open: a check in the worker thread that finishes
        # after its document was closed must not keep the snapshot for the session.
        self._is_open = is_open
        self._current: dict[str, Snapshot] = {}
        self._parsed: dict[str, Snapshot] = {}
        self._parsers: dict[str, ChunkedParser] = {}
        self._guard = threading.Lock()

    def get(
        self,
        uri: str,
        version: int | None,
        text: str,
        encoding: str,
        line_starts: list[int] | None = None,
    ) -> Snapshot:
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
            snapshot = Snapshot(
                uri, version, text, encoding, parser.parse, self._after_parse, line_starts
            )
            snapshot.on_parsed = self._remember_parsed
            if self._is_open(uri):
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
