"""Diagnostics by document and source, so each source sets and clears its own."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lsprotocol import types


@dataclass
class _Entry:
    version: int | None
    items: list[types.Diagnostic]


@dataclass
class DiagnosticStore:
    """Diagnostics by (source, uri): each source sets and clears its own, push and pull read all."""

    # Sources are e.g. "rubric" for syntax and validation; on-save scoring adds its own.

    # By document, then source: closing a document forgets it in one step, and a request
    # reads one document's entries, not every open document's.
    _entries: dict[str, dict[str, _Entry]] = field(default_factory=dict)
    # The pull result id of each document: a stamp from one counter for the whole
    # session, so a closed document leaves nothing behind and a reopened one never
    # repeats an id its earlier life handed out.
    _stamps: dict[str, int] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def set(
        self, source: str, uri: str, version: int | None, items: list[types.Diagnostic]
    ) -> None:
        """Replace one source's diagnostics of a document."""
        self._entries.setdefault(uri, {})[source] = _Entry(version, items)
        self._stamps[uri] = next(self._counter)

    def clear(self, source: str, uri: str) -> None:
        """Remove one source's diagnostics of a document."""
        sources = self._entries.get(uri)
        if sources is None or sources.pop(source, None) is None:
            return
        if not sources:
            del self._entries[uri]
        self._stamps[uri] = next(self._counter)

    def clear_document(self, uri: str) -> None:
        """Forget every source's diagnostics of a document (it was closed)."""
        self._entries.pop(uri, None)
        self._stamps.pop(uri, None)

    def get(self, source: str, uri: str) -> tuple[int | None, list[types.Diagnostic]] | None:
        """One source's (version, diagnostics) of a document, if it has any."""
        entry = self._entries.get(uri, {}).get(source)
        return (entry.version, entry.items) if entry else None

    def items(self, uri: str, exclude: frozenset[str] = frozenset()) -> list[types.Diagnostic]:
        """All diagnostics of a document, source by source, but for excluded sources."""
        found: list[types.Diagnostic] = []
        for source, entry in sorted(self._entries.get(uri, {}).items()):
            if source not in exclude:
                found.extend(entry.items)
        return found

    def sources(self) -> frozenset[str]:
        """Every source that holds diagnostics."""
        return frozenset(source for sources in self._entries.values() for source in sources)

    def result_id(self, uri: str) -> str:
        """An id that changes whenever the document's diagnostics change."""
        return str(self._stamps.get(uri, 0))
