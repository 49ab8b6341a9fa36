"""Lines as the Language Server Protocol counts them: ended by CR LF, LF or a lone CR.

Every module that splits a document into lines goes through here. ``str.splitlines``
would also end a line at a form feed, U+001C..U+001E, U+0085, U+2028 and U+2029, which
editors show inside a line; the parser, the server and the client must agree.
"""

from __future__ import annotations

import bisect
import re

from rubric_lsp.language.model import Position

# One line break: CR LF counts once; a CR alone ends a line too.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line breaks; a final break opens an empty line."""
    return LINE_BREAK.split(text)


def split_lines_keep_ends(text: str) -> list[str]:
    """The lines of ``text`` each with its own line break (the last one may have none)."""
    pieces: list[str] = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def line_feeds_only(text: str) -> str:
    """``text`` with each lone CR turned into LF: same length, same offsets, same lines.

    The parser counts lines at LF; fed this, it counts them as LSP does.
    """
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def count_line_breaks(text: str, start: int = 0, end: int | None = None) -> int:
    """How many line breaks ``text[start:end]`` holds (CR LF once)."""
    piece = text[start:end]
    if "\r" not in piece:
        return piece.count("\n")
    return piece.count("\n") + len(_LONE_CR.findall(piece))


def dominant_line_ending(text: str) -> str:
    """The line break most lines of ``text`` end with: CR LF, CR or LF (LF when none)."""
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf > lf and crlf >= lone_cr:
        return "\r\n"
    if lone_cr > lf and lone_cr > crlf:
        return "\r"
    return "\n"


class LineIndex:
    """Offsets of line starts and ends of one text, lines counted as LSP counts them."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        # Where each line's text ends, before its line break.
        ends: list[int] = []
        if "\r" in text:
            for match in LINE_BREAK.finditer(text):
                ends.append(match.start())
                starts.append(match.end())
        else:
            find = text.find
            index = find("\n")
            while index != -1:
                ends.append(index)
                starts.append(index + 1)
                index = find("\n", index + 1)
        ends.append(len(text))
        self.starts = starts
        self._ends: list[int] | None = ends

    @classmethod
    def from_line_starts(cls, text: str, starts: list[int]) -> LineIndex:
        """The index of ``text`` from line starts already counted (``starts[0]`` is 0)."""
        # An editor keeps line starts patched per keystroke; finding every break again
        # would cost a pass over the whole text for each request on a new version, and
        # a request needs the ends of a line or two, found from the starts when asked.
        index = cls.__new__(cls)
        index.text = text
        index.starts = starts
        index._ends = None
        return index

    @property
    def ends(self) -> list[int]:
        """Where each line's text ends, before its line break."""
        if self._ends is None:
            self._ends = [self.line_end(line) for line in range(len(self.starts))]
        return self._ends

    def line_end(self, line: int) -> int:
        """Where one line's text ends, before its line break."""
        if self._ends is not None:
            return self._ends[line]
        if line + 1 >= len(self.starts):
            return len(self.text)
        following = self.starts[line + 1]
        return following - 2 if self.text.startswith("\r\n", following - 2) else following - 1

    @property
    def line_count(self) -> int:
        """How many lines the text has (a final line break opens one more, empty)."""
        return len(self.starts)

    def line_text(self, line: int) -> str:
        """One line without its line break (empty past the end)."""
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line] : self.line_end(line)]

    def offset(self, position: Position) -> int:
        """The character offset of a position, clamped to its line (before its break)."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        return start + max(0, min(position.character, self.line_end(position.line) - start))

    def position(self, offset: int) -> Position:
        """The position of a character offset; one inside a CR LF is at its line's end."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, min(offset, self.line_end(line)) - self.starts[line])

    def clamp(self, position: Position) -> Position:
        """The nearest position inside the text: on an existing line, not past its end."""
        return self.position(self.offset(position))
