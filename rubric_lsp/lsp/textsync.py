"""The server's copy of each document, changed as LSP says: lines end at CR LF, LF or CR.

pygls applies incremental changes over ``str.splitlines``, which also ends lines at form
feeds, U+001C..U+001E, U+0085, U+2028 and U+2029, and walks every line of the document
for each edit. Documents here apply changes with the line model of language/lines.py and
the position encoding agreed at initialize, clamping positions past a line's end or the
last line as LSP clients do. Line starts are kept with the text and patched per edit, so
a keystroke costs about the same in a 10-line and a 10,000-line document.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from rubric_lsp.language.lines import LINE_BREAK
from rubric_lsp.lsp.convert import UTF16, from_client_character


class TextLines:
    """One text and the offsets its lines start at, as LSP counts lines."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str, starts: list[int] | None = None) -> None:
        self.text = text
        self.starts = starts if starts is not None else _starts(text, 0, len(text), [0])

    def line_end(self, line: int) -> int:
        """Where a line's text ends, before its line break."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        following = self.starts[line + 1]
        return following - 2 if self.text.startswith("\r\n", following - 2) else following - 1

    def offset(self, position: types.Position, encoding: str) -> int:
        """The offset of a client position, clamped to its line and to the text."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        line = self.text[start : self.line_end(position.line)]
        return start + from_client_character(line, position.character, encoding)

    def replaced(self, start: int, end: int, new_text: str) -> TextLines:
        """The text with ``[start, end)`` replaced, its line starts patched, not recounted."""
        text = self.text[:start] + new_text + self.text[end:]
        starts = self.starts
        if (
            len(new_text) == end - start
            and LINE_BREAK.search(new_text) is None
            and LINE_BREAK.search(self.text, start, end) is None
        ):
            # Overtyping within a line keeps every line start: the list is shared, never
            # changed in place (each edit builds a new one).
            return TextLines(text, starts)
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end) - 1
        # Recount from one line earlier (a CR before the edit may now pair with an LF at
        # its start) to the start of the line after the edit's last (its break is kept).
        window_start = starts[first - 1] if first > 0 else 0
        delta = len(new_text) - (end - start)
        if last + 1 < len(starts):
            window_end = starts[last + 1] + delta
            # A replacement of the same length (overtyping) leaves the later starts alone.
            tail = starts[last + 2 :] if delta == 0 else [o + delta for o in starts[last + 2 :]]
        else:
            window_end, tail = len(text), []
        head = starts[: max(first, 1)]
        patched = _starts(text, window_start, window_end, head)
        patched.extend(tail)
        return TextLines(text, patched)


def _starts(text: str, begin: int, end: int, into: list[int]) -> list[int]:
    """``into`` extended by the line starts that breaks in ``text[begin:end]`` open."""
    if "\r" not in text:
        find = text.find
        index = find("\n", begin, end)
        while index >= 0:
            into.append(index + 1)
            index = find("\n", index + 1, end)
        return into
    into.extend(match.end() for match in LINE_BREAK.finditer(text, begin, end))
    return into


def apply_change(
    lines: TextLines, change: types.TextDocumentContentChangeEvent, encoding: str
) -> TextLines:
    """The text after one didChange content change, whole or ranged."""
    if not isinstance(change, types.TextDocumentContentChangePartial):
        return TextLines(change.text)
    start = lines.offset(change.range.start, encoding)
    end = lines.offset(change.range.end, encoding)
    if end < start:  # a reversed range: LSP forbids it; treat it as the range it spans
        start, end = end, start
    return lines.replaced(start, end, change.text)


class LspTextDocument(TextDocument):
    """A pygls document whose lines and incremental changes follow LSP's line breaks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Text and line starts live in one object, so a worker thread reading during an
        # edit sees either the old pair or the new one.
        self._text_lines = TextLines(self._source or "")
        self._lines_cache: tuple[str, tuple[str, ...]] | None = None

    @property
    def encoding(self) -> str:
        """The position encoding of the client's columns."""
        encoding = self.position_codec.encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    @property
    def source(self) -> str:
        """The text after every change received."""
        return self._text_lines.text

    @property
    def text_lines(self) -> TextLines:
        """The text with its line starts."""
        return self._text_lines

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their line breaks, ended where LSP ends them."""
        current = self._text_lines
        cached = self._lines_cache
        if cached is not None and cached[0] is current.text:
            return cached[1]
        text, starts = current.text, current.starts
        ends = [*starts[1:], len(text)]
        lines = tuple(text[a:b] for a, b in zip(starts, ends, strict=True) if b > a)
        self._lines_cache = (text, lines)
        return lines

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        """Apply one content change, whole or ranged."""
        self._text_lines = apply_change(self._text_lines, change, self.encoding)
        self._source = self._text_lines.text


class LspWorkspace(Workspace):
    """A pygls workspace holding ``LspTextDocument``s."""

    def _create_text_document(
        self,
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
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def adopt(protocol: Any) -> None:
    """Give a just-initialized pygls protocol a workspace of ``LspTextDocument``s."""
    # pygls makes its workspace during initialize, before any document is open; the
    # same workspace, documents aside, is rebuilt with the LSP line model.
    workspace: Workspace = protocol.workspace
    protocol._workspace = LspWorkspace(
        workspace.root_uri,
        workspace._sync_kind,
        list(workspace.folders.values()),
        workspace.position_encoding,
    )
