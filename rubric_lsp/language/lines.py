"""Line starts of a text, counted at '\\n' as the parser counts them."""

from __future__ import annotations

import bisect

from rubric_lsp.language.model import Position


class LineIndex:
    """Offsets of line starts, counting lines at '\\n' as the parser does."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self.starts = starts

    def line_text(self, line: int) -> str:
        """One line without its '\\n' (empty past the end)."""
        if not 0 <= line < len(self.starts):
            return ""
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line] : end]

    def offset(self, position: Position) -> int:
        """The character offset of a position, clamped to its line and the text."""
        if position.line < 0:
            return 0
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        return start + max(0, min(position.character, len(self.line_text(position.line))))

    def position(self, offset: int) -> Position:
        """The position of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])
