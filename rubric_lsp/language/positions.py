"""Conversions between the model's code-point columns and LSP's UTF-16 columns."""

from __future__ import annotations

from rubric_lsp.language.model import Position, Range


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


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


def to_utf16_position(lines: list[str], position: Position) -> Position:
    """A model position as LSP counts it."""
    return Position(
        position.line, to_utf16_character(_line(lines, position.line), position.character)
    )


def from_utf16_position(lines: list[str], position: Position) -> Position:
    """An LSP position as the model counts it."""
    return Position(
        position.line, from_utf16_character(_line(lines, position.line), position.character)
    )


def to_utf16_range(lines: list[str], rng: Range) -> Range:
    """A model range as LSP counts it."""
    return Range(to_utf16_position(lines, rng.start), to_utf16_position(lines, rng.end))
