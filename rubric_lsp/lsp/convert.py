"""Model values to lsprotocol types and back, in the position encoding agreed with the client.

The model counts columns in code points; LSP counts UTF-16 code units unless
the client and server agreed on UTF-8 or UTF-32 at initialization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from rubric_lsp.language import model
from rubric_lsp.language.lines import LineIndex

UTF8 = types.PositionEncodingKind.Utf8.value
UTF16 = types.PositionEncodingKind.Utf16.value
UTF32 = types.PositionEncodingKind.Utf32.value

_SEVERITIES = {
    model.Severity.ERROR: types.DiagnosticSeverity.Error,
    model.Severity.WARNING: types.DiagnosticSeverity.Warning,
    model.Severity.INFORMATION: types.DiagnosticSeverity.Information,
    model.Severity.HINT: types.DiagnosticSeverity.Hint,
}

SOURCE = "rubric"


def to_utf16_character(line_text: str, character: int) -> int:
    """The UTF-16 column of a code-point column on one line."""
    prefix = line_text[:character]
    if prefix.isascii():
        return len(prefix)
    # surrogatepass: a lone surrogate (valid in JSON strings) still counts as one unit.
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def from_utf16_character(line_text: str, utf16_character: int) -> int:
    """The code-point column of a UTF-16 column (clamped to the line)."""
    if line_text.isascii():
        return min(utf16_character, len(line_text))
    units = 0
    for index, char in enumerate(line_text):
        if units >= utf16_character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)


def to_client_character(line: str, character: int, encoding: str) -> int:
    """The client's column for a code-point column on one line."""
    if encoding == UTF32:
        return character
    if encoding == UTF8:
        prefix = line[:character]
        return len(prefix) if prefix.isascii() else len(prefix.encode("utf-8", "surrogatepass"))
    return to_utf16_character(line, character)


def from_client_character(line: str, character: int, encoding: str) -> int:
    """The code-point column of a client column (clamped to the line)."""
    if encoding == UTF32:
        return min(max(character, 0), len(line))
    if encoding == UTF8:
        if line.isascii():
            return min(max(character, 0), len(line))
        units = 0
        for index, char in enumerate(line):
            if units >= character:
                return index
            units += len(char.encode("utf-8", "surrogatepass"))
        return len(line)
    return from_utf16_character(line, max(character, 0))


def client_length(text: str, encoding: str) -> int:
    """The length of a piece of text in the client's units."""
    return to_client_character(text, len(text), encoding)


@dataclass(frozen=True)
class Codec:
    """Columns as one client counts them: the position encoding agreed at initialize."""

    encoding: str = UTF16

    def position(self, lines: Sequence[str], line: int, character: int) -> types.Position:
        """A code-point position on one of ``lines`` as the client counts it.

        Clamped into the text: a line past the last is the end of the last line, a
        column past a line's end is that end (before its line break, never inside it).
        """
        if not lines or line < 0:
            return types.Position(0, 0)
        if line >= len(lines):
            line = len(lines) - 1
            character = len(lines[line])
        text = lines[line]
        character = max(0, min(character, len(text)))
        return types.Position(line, to_client_character(text, character, self.encoding))

    def range(
        self, lines: Sequence[str], start: model.Position, end: model.Position
    ) -> types.Range:
        """A code-point range over ``lines`` as the client counts it."""
        return types.Range(
            self.position(lines, start.line, start.character),
            self.position(lines, end.line, end.character),
        )


class Positions:
    """Converts positions of one text between the model and the client."""

    def __init__(self, index: LineIndex, encoding: str) -> None:
        self.index = index
        self.encoding = encoding

    def to_lsp(self, position: model.Position) -> types.Position:
        """A model position as the client counts it, clamped into the text."""
        position = self.index.clamp(position)
        line = self.index.line_text(position.line)
        return types.Position(
            line=position.line,
            character=to_client_character(line, position.character, self.encoding),
        )

    def to_lsp_range(self, rng: model.Range) -> types.Range:
        """A model range as the client counts it."""
        return types.Range(start=self.to_lsp(rng.start), end=self.to_lsp(rng.end))

    def from_lsp(self, position: types.Position) -> model.Position:
        """A client position as the model counts it, clamped to the text."""
        last = len(self.index.starts) - 1
        if position.line > last:
            return model.Position(last, len(self.index.line_text(last)))
        line_number = max(position.line, 0)
        line = self.index.line_text(line_number)
        return model.Position(
            line_number, from_client_character(line, position.character, self.encoding)
        )

    def offset(self, position: types.Position) -> int:
        """The character offset of a client position, clamped to the text."""
        return self.index.offset(self.from_lsp(position))

    def range_of_offsets(self, start: int, end: int) -> types.Range:
        """The client range between two character offsets."""
        return types.Range(
            start=self.to_lsp(self.index.position(start)), end=self.to_lsp(self.index.position(end))
        )

    def end(self) -> types.Position:
        """The position after the last character of the text."""
        return self.to_lsp(self.index.position(len(self.index.text)))


def diagnostic(item: model.Diagnostic, positions: Positions) -> types.Diagnostic:
    """A model diagnostic as LSP sends it; the suggestion rides along for quick fixes."""
    return types.Diagnostic(
        range=positions.to_lsp_range(item.range),
        severity=_SEVERITIES[item.severity],
        code=item.code,
        source=SOURCE,
        message=item.message,
        data={"suggestion": item.suggestion} if item.suggestion else None,
    )


def markdown(text: str) -> types.MarkupContent:
    """Markdown content for hover and completion documentation."""
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
