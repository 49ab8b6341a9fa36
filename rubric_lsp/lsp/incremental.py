"""Re-parse only the blocks an edit touched, when that provably gives the whole-file result.

A line that starts with ``NAME {`` begins a chunk. In a file that parses without
errors every such line starts a top-level block (a ``{`` inside a block, string or
comment would be an error or impossible at a line start), so each chunk holds whole
blocks and parses on its own to exactly the blocks the whole file has there. A
chunk is parsed behind as many line breaks as precede it, so its positions are
those of the whole file. Parts of unchanged chunks are reused, moved when lines
were added or removed above them; any syntax error falls back to parsing the
whole file, so error recovery and its messages are always those of ``rubric check``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass
from typing import Any

from rubric_lsp.language.lines import line_feeds_only
from rubric_lsp.language.model import Block, Comment, Document, Name, Position, Range, Value
from rubric_lsp.language.parser import MAX_DOCUMENT_CHARS, parse

_CHUNK_START = re.compile(r"^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\{", re.MULTILINE)
# Past this many changed chunks one parse of the whole file is cheaper than many small ones.
MAX_CHUNK_PARSES = 8


@dataclass(frozen=True)
class _Part:
    blocks: tuple[Block, ...]
    comments: tuple[Comment, ...]


# (first line, text) of a chunk.
_Key = tuple[int, str]


def chunks(text: str) -> list[_Key]:
    """The chunks of a text with the line each starts on."""
    starts = [match.start() for match in _CHUNK_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    found: list[_Key] = []
    line = 0
    previous = 0
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        line += text.count("\n", previous, start)
        previous = start
        found.append((line, text[start:end]))
    return found


class ChunkedParser:
    """Parses successive versions of one document, reusing the parts an edit left alone."""

    def __init__(self) -> None:
        # Chunk text -> {first line: its blocks and comments there}.
        self._parts: dict[str, dict[int, _Part]] = {}
        self._lock = threading.Lock()

    def parse(self, text: str) -> Document:
        """The same document ``parse(text)`` gives, usually faster after a small edit."""
        if len(text) > MAX_DOCUMENT_CHARS:
            return parse(text)
        with self._lock:
            # Chunks are found and counted at LF; a lone CR ends a line as well.
            keys = chunks(line_feeds_only(text))
            missing = [chunk for _, chunk in keys if chunk not in self._parts]
            if len(missing) > MAX_CHUNK_PARSES:
                return self._whole(text, keys)
            found: list[_Part] = []
            for line, chunk in keys:
                known = self._parts.get(chunk)
                if known is None:
                    document = parse("\n" * line + chunk)
                    if document.syntax_errors:
                        return parse(text)
                    part = _Part(tuple(document.blocks), tuple(document.comments))
                elif line in known:
                    part = known[line]
                else:
                    # Lines were added or removed above it: same blocks, moved.
                    was, moved = next(iter(known.items()))
                    part = _shifted(moved, line - was)
                found.append(part)
            self._parts = {}
            for (line, chunk), part in zip(keys, found, strict=True):
                self._parts.setdefault(chunk, {})[line] = part
            blocks: list[Block] = []
            comments: list[Comment] = []
            for part in found:
                blocks.extend(part.blocks)
                comments.extend(part.comments)
            return Document(text, blocks, comments, [])

    def _whole(self, text: str, keys: list[_Key]) -> Document:
        """Parse the whole text; when it is clean, remember its blocks chunk by chunk."""
        document = parse(text)
        if document.syntax_errors:
            return document
        firsts = [line for line, _ in keys]
        blocks: list[list[Block]] = [[] for _ in keys]
        comments: list[list[Comment]] = [[] for _ in keys]
        chunk = 0
        for block in document.blocks:
            chunk = _chunk_of(firsts, block.range.start.line, chunk)
            blocks[chunk].append(block)
        chunk = 0
        for comment in document.comments:
            chunk = _chunk_of(firsts, comment.range.start.line, chunk)
            comments[chunk].append(comment)
        self._parts = {}
        for index, (first, text_of_chunk) in enumerate(keys):
            part = _Part(tuple(blocks[index]), tuple(comments[index]))
            self._parts.setdefault(text_of_chunk, {})[first] = part
        return document


def _chunk_of(firsts: list[int], line: int, hint: int) -> int:
    """The index of the chunk a line is in, searching forward from ``hint``."""
    index = hint
    while index + 1 < len(firsts) and firsts[index + 1] <= line:
        index += 1
    return index


_new = tuple.__new__
_FIELDS: dict[type, tuple[str, ...]] = {}


def _shifted(part: _Part, lines: int) -> _Part:
    """A part with every position moved down by ``lines`` (up when negative)."""
    return _Part(
        tuple(_shift(block, lines) for block in part.blocks),
        tuple(_shift(comment, lines) for comment in part.comments),
    )


def _shift_range(rng: Range, lines: int) -> Range:
    start, end = rng
    return _new(
        Range,
        (_new(Position, (start[0] + lines, start[1])), _new(Position, (end[0] + lines, end[1]))),
    )


def _shift(value: Any, lines: int) -> Any:
    """A model value with its positions moved; model objects are immutable, so rebuilt."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Range):
        return _shift_range(value, lines)
    if isinstance(value, Name | Value):
        # Both end with their range.
        return _new(type(value), (*value[:-1], _shift_range(value[-1], lines)))
    if isinstance(value, tuple):
        return tuple(_shift(item, lines) for item in value)
    kind = type(value)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(field.name for field in dataclasses.fields(value))
    return kind(*(_shift(getattr(value, name), lines) for name in names))
