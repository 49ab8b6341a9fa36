"""The canonical layout of .rubric documents, for `rubric fmt` and editors.

Layout: one top-level block per ``keyword {`` ... ``}``, one entry per line
indented by two spaces, single spaces between tokens, ``key=value``
attributes, literals exactly as written. The loose tokens of an unknown
block keep their source lines, as they have no entry shape to split by.
Blank lines between blocks and
entries are kept but collapsed to one; none follows ``{`` or precedes ``}``.
The output ends with exactly one line break and uses the file's dominant
line ending (CRLF or CR when most lines end so, LF otherwise).

Comments keep their place relative to the tokens around them:

- a comment after the last token of an output line stays trailing on it,
  one space after the token;
- an own-line comment stays on its own line before the next token's line,
  indented like that line; before a closing ``}`` it is indented like the
  block's entries, since it belongs inside the block;
- a comment that sat inside an entry split over several lines (which the
  layout joins into one line) moves onto its own line above that entry.

Trailing whitespace inside comments is dropped; their text is otherwise kept.
Lines are counted as LSP counts them (language/lines.py): CR LF, LF or a lone CR.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from rubric_lsp.language.lines import dominant_line_ending, split_lines
from rubric_lsp.language.model import Attribute, Block, Comment, Document, Name, Range, Value
from rubric_lsp.language.parser import parse

INDENT = "  "

_Role = Literal["open", "entry", "close"]
# Whitespace as the grammar's WS terminal has it, less the line feed.
_BLANK_CHARS = " \t\f\r"


class RangeEdit(NamedTuple):
    """Replace source lines ``start_line``..``end_line`` (0-based, inclusive) by ``new_text``."""

    start_line: int
    # The replaced span ends where this line's text ends, before its line break.
    end_line: int
    # Lines joined by the document's line ending, with no final line break.
    new_text: str


class _Piece(NamedTuple):
    """One token of the output (an attribute counts as one) and where it was."""

    text: str
    range: Range


@dataclass
class _Line:
    """One line of output before comments and blank lines are placed around it."""

    depth: int
    role: _Role
    pieces: list[_Piece]
    chunk: int
    before: list[Comment] = field(default_factory=list)
    trailing: Comment | None = None
    # Only when two comments trail the same line, which a lone CR can cause.
    after: list[Comment] = field(default_factory=list)

    @property
    def first_line(self) -> int:
        """The source line of the first token."""
        return self.pieces[0].range.start.line

    @property
    def last_line(self) -> int:
        """The source line of the last token."""
        return self.pieces[-1].range.end.line


@dataclass
class _Layout:
    """The whole document laid out: lines, with every comment placed."""

    lines: list[_Line]
    # Comments after the last token of the document.
    tail: list[Comment]
    # Source line spans of chunks: blocks, merged when they share a line.
    chunks: list[tuple[int, int]]


class _Emitted(NamedTuple):
    """An output line and the chunk it belongs to (None between chunks)."""

    text: str
    chunk: int | None


def format_text(text: str) -> str | None:
    """The canonical layout of ``text``, or None when it has syntax errors."""
    return format_document(parse(text))


def format_document(document: Document) -> str | None:
    """The canonical layout of a parsed document, or None when it has syntax errors."""
    if document.syntax_errors:
        # Recovery skips or invents tokens; formatting that would lose content.
        return None
    emitted = _emit(document)
    if not emitted:
        return ""
    newline = _line_ending(document.text)
    return newline.join(line.text for line in emitted) + newline


def format_range(text: str, start_line: int, end_line: int) -> list[RangeEdit]:
    """Edits that format every top-level block touching lines ``start_line``..``end_line``.

    Whole blocks are formatted, never parts of one; blocks that share a line
    are formatted together. Comments and blank lines between blocks are left
    alone. Blocks already in the canonical layout get no edit, and a document
    with syntax errors gets none at all. New lines use the document's dominant
    line ending, as whole-document formatting does.
    """
    return format_document_range(parse(text), start_line, end_line)


def format_document_range(document: Document, start_line: int, end_line: int) -> list[RangeEdit]:
    """``format_range`` for a document already parsed."""
    if document.syntax_errors:
        return []
    layout = _layout(document)
    by_chunk: dict[int | None, list[str]] = {}
    for line in _emit(document, layout):
        by_chunk.setdefault(line.chunk, []).append(line.text)
    newline = _line_ending(document.text)
    source_lines = split_lines(document.text)
    edits: list[RangeEdit] = []
    for index, (first, last) in enumerate(layout.chunks):
        if first > end_line or last < start_line:
            continue
        new_lines = by_chunk[index]
        old_lines = source_lines[first : last + 1]
        if old_lines != new_lines:
            edits.append(RangeEdit(first, last, newline.join(new_lines)))
    return edits


def _line_ending(text: str) -> str:
    """The line break most lines of ``text`` end with."""
    return dominant_line_ending(text)


def _pieces(node: object) -> Iterator[_Piece]:
    """The tokens of an entry in field order; the caller sorts them into source order."""
    # Walking every field rather than naming them keeps a field added to the
    # model later from being dropped silently.
    if isinstance(node, Attribute):
        yield _Piece(f"{node.key.text}={node.value.raw}", node.range)
    elif isinstance(node, Name):
        yield _Piece(node.text, node.range)
    elif isinstance(node, Value):
        yield _Piece(node.raw, node.range)
    elif isinstance(node, tuple | list) and not isinstance(node, Range):
        for item in node:
            yield from _pieces(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for name in _field_names(type(node)):
            yield from _pieces(getattr(node, name))


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The fields of a model class that may hold tokens (looking them up is slow)."""
    return tuple(item.name for item in dataclasses.fields(kind) if item.name != "range")


def _block_lines(block: Block, chunk: int) -> Iterator[_Line]:
    """The header, entry and closing lines of one block."""
    opening = [_Piece(block.keyword.text, block.keyword.range), _Piece("{", block.open_brace)]
    yield _Line(0, "open", opening, chunk)
    for entry in block.entries:
        pieces = sorted(_pieces(entry), key=lambda piece: piece.range.start)
        if pieces:
            yield _Line(1, "entry", pieces, chunk)
    # Loose tokens of an unknown block have no entry shape: keep their lines.
    row: list[_Piece] = []
    for value in block.contents:
        if row and row[-1].range.end.line != value.range.start.line:
            yield _Line(1, "entry", row, chunk)
            row = []
        row.append(_Piece(value.raw, value.range))
    if row:
        yield _Line(1, "entry", row, chunk)
    yield _Line(0, "close", [_Piece("}", block.close_brace)], chunk)


def _layout(document: Document) -> _Layout:
    """Lay out every block, then place each comment next to its neighbouring tokens."""
    lines: list[_Line] = []
    chunks: list[tuple[int, int]] = []
    for block in document.blocks:
        first, last = block.range.start.line, block.range.end.line
        if chunks and chunks[-1][1] >= first:
            chunks[-1] = (chunks[-1][0], max(chunks[-1][1], last))
        else:
            chunks.append((first, last))
        lines.extend(_block_lines(block, len(chunks) - 1))

    # Every token in source order, with its output line and place on it.
    starts: list[tuple[int, int]] = []
    owners: list[tuple[int, bool, bool]] = []
    for index, line in enumerate(lines):
        for place, piece in enumerate(line.pieces):
            starts.append(tuple(piece.range.start))  # type: ignore[arg-type]
            owners.append((index, place == 0, place == len(line.pieces) - 1))
    order = sorted(range(len(starts)), key=starts.__getitem__)
    starts = [starts[i] for i in order]
    owners = [owners[i] for i in order]

    tail: list[Comment] = []
    for comment in document.comments:
        at = bisect.bisect_left(starts, tuple(comment.range.start)) - 1
        if at >= 0 and starts[at][0] == comment.range.start.line:
            index, _, is_last = owners[at]
            line = lines[index]
            if not is_last:
                line.before.append(comment)
            elif line.trailing is None:
                line.trailing = comment
            else:
                line.after.append(comment)
        elif at + 1 < len(owners):
            lines[owners[at + 1][0]].before.append(comment)
        else:
            tail.append(comment)
    return _Layout(lines, tail, chunks)


def _emit(document: Document, layout: _Layout | None = None) -> list[_Emitted]:
    """The output lines, with blank lines kept where the source had any."""
    if layout is None:
        layout = _layout(document)
    blank_before = _blank_line_counts(document.text)
    emitted: list[_Emitted] = []
    previous_end: int | None = None
    previous_chunk: int | None = None
    after_open = False

    chunk_starts = [first for first, _ in layout.chunks]

    def chunk_of(line_number: int) -> int | None:
        index = bisect.bisect_right(chunk_starts, line_number) - 1
        if index >= 0 and line_number <= layout.chunks[index][1]:
            return index
        return None

    def emit(text: str, start: int, end: int, chunk: int | None, blank_ok: bool) -> None:
        nonlocal previous_end, previous_chunk, after_open
        if (
            blank_ok
            and not after_open
            and previous_end is not None
            and start > previous_end + 1
            and blank_before[start] > blank_before[previous_end + 1]
        ):
            emitted.append(_Emitted("", chunk if chunk == previous_chunk else None))
        emitted.append(_Emitted(text, chunk))
        previous_end, previous_chunk, after_open = max(end, start), chunk, False

    def emit_comment(comment: Comment, depth: int, start: int) -> None:
        line_number = comment.range.start.line
        text = INDENT * depth + comment.text.rstrip()
        emit(text, min(start, line_number), line_number, chunk_of(line_number), True)

    for line in layout.lines:
        comment_depth = line.depth + 1 if line.role == "close" else line.depth
        for comment in line.before:
            emit_comment(comment, comment_depth, line.first_line)
        text = INDENT * line.depth + " ".join(piece.text for piece in line.pieces)
        if line.trailing is not None:
            text += " " + line.trailing.text.rstrip()
        emit(text, line.first_line, line.last_line, line.chunk, line.role != "close")
        after_open = line.role == "open"
        for comment in line.after:
            emit_comment(comment, line.depth + 1 if line.role == "open" else line.depth, 0)
    for comment in layout.tail:
        emit_comment(comment, 0, comment.range.start.line)
    return emitted


def _blank_line_counts(text: str) -> list[int]:
    """For each source line, how many blank lines precede it (one extra entry at the end)."""
    counts = [0]
    for line in split_lines(text):
        counts.append(counts[-1] + (line.strip(_BLANK_CHARS) == ""))
    return counts
