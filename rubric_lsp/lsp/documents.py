"""Open documents' text, changed as LSP says: lines end at CR LF, LF or CR; columns clamp.

pygls splits lines with ``str.splitlines`` (which also breaks at form feeds and U+2028)
and walks every line of the document for each edit. Here an edit finds its offsets from
the line starts alone, so a keystroke costs the same in a 10-line and a 10,000-line file,
and the text is the one the client holds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import islice
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _column(line: str, units: int, encoding: str) -> int:
    """The code point index of a client column on a line, clamped to the line's end."""
    if units <= 0:
        return 0
    if encoding == types.PositionEncodingKind.Utf32:
        return min(units, len(line))
    if line.isascii():
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        width = _width(char, encoding)
        if counted + width > units:
            # Inside a character (half a surrogate pair, part of a UTF-8 sequence):
            # the edit starts before it, so no character is ever split.
            return index
        counted += width
        if counted == units:
            return index + 1
    return len(line)


def _width(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == types.PositionEncodingKind.Utf8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 2 if code > 0xFFFF else 1


def _line_bounds(text: str, line: int) -> tuple[int, int] | None:
    """Where a line's text starts and ends (before its break); None past the last line."""
    if line == 0:
        start = 0
    elif "\r" not in text:
        # Splitting stops after ``line`` breaks; the rest's length gives the start.
        parts = text.split("\n", line)
        if len(parts) <= line:
            return None
        start = len(text) - len(parts[-1])
    else:
        ends = [match.end() for match in islice(_LINE_BREAK.finditer(text), line)]
        if len(ends) < line:
            return None
        start = ends[-1]
    if "\r" not in text:
        end = text.find("\n", start)
        return start, len(text) if end < 0 else end
    following = _LINE_BREAK.search(text, start)
    return start, len(text) if following is None else following.start()


def offset_of(text: str, position: types.Position, encoding: str) -> int:
    """The offset of an LSP position: past the last line is the end, past a line's end its end."""
    bounds = _line_bounds(text, position.line)
    if bounds is None:
        return len(text)
    start, end = bounds
    return start + _column(text[start:end], position.character, encoding)


def apply_change(text: str, change: types.TextDocumentContentChangeEvent, encoding: str) -> str:
    """The text after one change event."""
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return change.text
    begin = offset_of(text, change.range.start, encoding)
    end = max(begin, offset_of(text, change.range.end, encoding))
    return text[:begin] + change.text + text[end:]


class LspTextDocument(TextDocument):
    """A pygls document whose lines and edits follow LSP's rules; edits apply when read."""

    # An edit storm sends changes faster than they could each be applied; they are kept
    # in order and applied together when the text is next needed.

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[types.TextDocumentContentChangePartial] = []
        self._pending_lock = threading.Lock()

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        """Keep an incremental change for later; a whole new text replaces everything."""
        with self._pending_lock:
            if isinstance(change, types.TextDocumentContentChangePartial):
                self._pending.append(change)
                return
            self._pending.clear()
            self._source = change.text

    @property
    def source(self) -> str:
        """The text after every change received."""
        with self._pending_lock:
            if self._pending:
                encoding = self.position_codec.encoding
                name = str(getattr(encoding, "value", encoding))
                text = self._source or ""
                for change in self._pending:
                    text = apply_change(text, change, name)
                self._pending.clear()
                self._source = text
            return self._source or ""

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their line breaks, split where LSP splits them."""
        source = self.source
        starts = [0, *(match.end() for match in _LINE_BREAK.finditer(source))]
        ends = [*starts[1:], len(source)]
        return tuple(source[a:b] for a, b in zip(starts, ends, strict=True) if b > a)


def adopt(workspace: Workspace) -> None:
    """Make a workspace hold documents that change as LSP says."""

    def create(
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=workspace._sync_kind,
            position_codec=workspace._position_codec,
        )

    setattr(workspace, "_create_text_document", create)  # noqa: B010  # pygls has no factory hook
