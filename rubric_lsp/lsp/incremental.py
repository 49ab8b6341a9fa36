"""Re-parse only the blocks an edit touched, when that provably gives the whole-file result.

A line that starts with ``NAME {`` begins a chunk. In a file that parses without
errors every such line starts a top-level block (a ``{`` inside a block, string or
comment would be an error or impossible at a line start), so each chunk holds whole
blocks and parses on its own to exactly the blocks the whole file has there. A
chunk is parsed behind as many line breaks as precede it, so its positions are
those of the whole file. Parts of unchanged chunks at unchanged lines are reused;
any syntax error falls back to parsing the whole file, so error recovery and its
messages are always those of ``rubric check``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from rubric_lsp.language.model import Block, Comment, Document
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
        self._parts: dict[_Key, _Part] = {}
        self._lock = threading.Lock()

    def parse(self, text: str) -> Document:
        """The same document ``parse(text)`` gives, usually faster after a small edit."""
        if len(text) > MAX_DOCUMENT_CHARS:
            return parse(text)
        with self._lock:
            keys = chunks(text)
            missing = [key for key in keys if key not in self._parts]
            if len(missing) > MAX_CHUNK_PARSES:
                return self._whole(text, keys)
            parts = dict(self._parts)
            for key in missing:
                line, chunk = key
                document = parse("\n" * line + chunk)
                if document.syntax_errors:
                    return parse(text)
                parts[key] = _Part(tuple(document.blocks), tuple(document.comments))
            self._parts = {key: parts[key] for key in keys}
            blocks: list[Block] = []
            comments: list[Comment] = []
            for key in keys:
                blocks.extend(self._parts[key].blocks)
                comments.extend(self._parts[key].comments)
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
        self._parts = {
            key: _Part(tuple(blocks[i]), tuple(comments[i])) for i, key in enumerate(keys)
        }
        return document


def _chunk_of(firsts: list[int], line: int, hint: int) -> int:
    """The index of the chunk a line is in, searching forward from ``hint``."""
    index = hint
    while index + 1 < len(firsts) and firsts[index + 1] <= line:
        index += 1
    return index
