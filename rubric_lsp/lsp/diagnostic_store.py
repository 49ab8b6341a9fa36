"""Diagnostics by (source, uri), so each source sets and clears its own."""

from __future__ import annotations

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
