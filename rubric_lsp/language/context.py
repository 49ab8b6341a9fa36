"""What each token means and what may come next, also in half-typed, broken text.

The parser needs a whole document and drops what it cannot fit; an editor asks
about the text as it is being typed. This module lexes with the grammar's
terminals (language/lexer.py) and follows each block's entry shape (language/roles.py),
so every token gets a role (for highlighting and hover) and every position gets a
slot: the kind of word that may be typed there (for completion).
"""

from __future__ import annotations

import bisect
import re

from rubric_lsp.language.lexer import name_pattern, restart_point, token_pattern
from rubric_lsp.language.lines import LineIndex, count_line_breaks
from rubric_lsp.language.roles import Context, Machine, Role, Slot, Token

# Re-exported: the editor layer asks this module for all of them.
__all__ = [
    "Context",
    "LineIndex",
    "Role",
    "Slot",
    "Token",
    "context_at",
    "restart_point",
    "token_at",
    "token_at_offset",
    "tokens",
]

_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")


def _run(text: str, end: int | None = None, begin: int = 0) -> Machine:
    """Feed every token of ``text[begin:end]`` to a new machine."""
    machine = Machine()
    line = count_line_breaks(text, 0, begin) if begin else 0
    feed = machine.feed
    for match in token_pattern().finditer(text, begin, len(text) if end is None else end):
        kind = match.lastgroup
        assert kind is not None
        if kind == "WS":
            line += count_line_breaks(match.group())
            continue
        feed(kind, match.group(), match.start(), match.end(), line)
    return machine


def tokens(text: str) -> list[Token]:
    """Every token of a document except whitespace, with its role, in order."""
    return _run(text).tokens


def token_at_offset(text: str, offset: int) -> tuple[Token | None, str | None]:
    """The token under an offset (or ending right before it) and the block it is in."""
    offset = max(0, min(offset, len(text)))
    begin = restart_point(text, offset)
    machine = Machine()
    line = count_line_breaks(text, 0, begin)
    found: int | None = None
    block: str | None = None
    for match in token_pattern().finditer(text, begin):
        kind = match.lastgroup
        assert kind is not None
        if kind == "WS":
            line += count_line_breaks(match.group())
            continue
        machine.feed(kind, match.group(), match.start(), match.end(), line)
        if match.start() > offset:
            break  # fed one token more: a '{' after a name makes it a block keyword
        if match.end() >= offset:
            found, block = len(machine.tokens) - 1, machine.block
    if found is None:
        return None, None
    return machine.tokens[found], block


def context_at(text: str, offset: int) -> Context:
    """What may be typed at a character offset of ``text`` (clamped to the text)."""
    offset = max(0, min(offset, len(text)))
    start = offset
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    prefix = text[start:offset]
    machine = _run(text, start, restart_point(text, start))
    line = count_line_breaks(text, 0, start)
    # A number is being typed, not a name; or the position is inside a string or comment.
    inside = bool(prefix and not name_pattern().match(prefix)) or _inside_text(
        machine.tokens, start
    )
    return machine.context(line, prefix, start, inside)


def _inside_text(found: list[Token], start: int) -> bool:
    """Whether ``start`` lies in a comment, or an unclosed string, that runs up to it."""
    if not found or found[-1].end != start:
        return False
    last = found[-1]
    if last.type == "COMMENT":
        return True
    if last.type != "STRING":
        return False
    body = last.text[1:-1]
    closed = len(last.text) >= 2 and last.text.endswith('"')
    # An odd run of backslashes before the final quote escapes it.
    escaped = (len(body) - len(body.rstrip("\\"))) % 2 == 1
    return not closed or escaped


def token_at(found: list[Token], offset: int) -> Token | None:
    """The token under an offset, or the one that ends right before it."""
    starts = [token.start for token in found]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return None
    token = found[index]
    if token.start <= offset <= token.end:
        return token
    return None
