"""What each token means and what may come next, also in half-typed, broken text.

The parser needs a whole document and drops what it cannot fit; an editor asks
about the text as it is being typed. This module lexes with the grammar's
terminals and follows each block's entry shapes with a small state machine, so
every token gets a role (for highlighting and hover) and every position gets a
slot: the kind of word that may be typed there (for completion). It recovers
the way the parser does: ``NAME {`` inside a block starts a new block, and a
value on a new line after ``key=`` is not that key's value.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from rubric_lsp.language.model import BLOCK_KEYWORDS, Position

# The grammar's terminals (grammar/rubric.lark), tried in this order.
_TOKEN = re.compile(
    r"""
     (?P<COMMENT>\#[^\r\n]*)
    |(?P<STRING>"(?:[^"\\\r\n]|\\[^\r\n])*"?)
    |(?P<LBRACE>\{)
    |(?P<RBRACE>\})
    |(?P<ATTR_KEY>[A-Za-z_][A-Za-z0-9_]*[ \t]*=)
    |(?P<RANGE>[+-]?[0-9]+(?:\.[0-9]+)?\.\.[+-]?[0-9]+(?:\.[0-9]+)?)
    |(?P<PERCENT>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)%)
    |(?P<NUMBER>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))
    |(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<WS>[ \t\f\r\n]+)
    |(?P<JUNK>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_VALUES = frozenset({"STRING", "RANGE", "PERCENT", "NUMBER", "NAME"})
_RESERVED = frozenset({*BLOCK_KEYWORDS, "criterion", "scale"})

Role = Literal[
    "block",  # a block keyword
    "unknown-block",  # the name before '{' of a block that is not one of the eight
    "keyword",  # criterion, scale
    "field",  # a task field, or an unknown reward_rubric field
    "attribute",  # the key of key=value
    "check",  # a check name: after check=, or an entry of checks
    "definition",  # a criterion name where it is defined
    "reference",  # a criterion name used in score, rescore, critique or a rule
    "verb",  # a critique verb
    "rule",  # a rule keyword
    "number",  # a number, percentage or range
    "string",
    "comment",
    "value",  # any other value
    "brace",
    "junk",  # what fits nowhere (the parser reports it)
]

Slot = Literal[
    "none",  # nothing to complete: inside a string or comment, or a value is expected
    "block-keyword",
    "task-field",
    "rubric-entry",  # criterion, scale
    "criterion-attribute",  # weight=, check=
    "check-name",  # after check=
    "checks-entry",  # a check to configure
    "check-setting",  # command=, timeout=, repeat=, enabled=
    "boolean",  # after enabled=
    "criterion-name",  # in score, rescore, critique, and after minimum
    "critique-verb",
    "rule-keyword",
]


class Token(NamedTuple):
    """One lexed token: its terminal, text, character offsets, 0-based line and role."""

    type: str
    text: str
    start: int
    end: int
    line: int
    role: Role


@dataclass(frozen=True)
class Context:
    """What may be typed at a position, and what the surrounding block already has."""

    slot: Slot
    # The block kind around the position ("unknown" for an unknown block), None at top level.
    block: str | None
    # The part of a name typed before the position, and the offset where it starts.
    prefix: str
    start: int
    # Criterion names the block already mentions, in order (to rank the others first).
    used_names: tuple[str, ...] = ()
    # Attribute keys the current entry already has.
    used_keys: tuple[str, ...] = ()


class _Machine:
    """Follows the entry shapes of each block kind, one token at a time."""

    def __init__(self) -> None:
        self.block: str | None = None
        self.slot = "top"
        self.entry_line = 0
        self.key_line = 0
        self.key = ""
        self.used_names: list[str] = []
        self.used_keys: list[str] = []
        self.candidate: int | None = None  # index of a NAME that may open a block
        self.tokens: list[Token] = []

    def feed(self, kind: str, text: str, start: int, end: int, line: int) -> None:
        """Give the next token (not whitespace) a role and move to the next slot."""
        if kind == "COMMENT":
            self._emit(kind, text, start, end, line, "comment")
            return
        if kind == "LBRACE":
            self._open(text, start, end, line)
            return
        self.candidate = None
        if kind == "RBRACE":
            self._emit(kind, text, start, end, line, "brace" if self.block else "junk")
            self._enter(None, "top")
            return
        if self.block is None:
            if kind == "NAME":
                self.candidate = len(self.tokens)
                role: Role = "block" if text in BLOCK_KEYWORDS else "unknown-block"
                self._emit(kind, text, start, end, line, role)
                self.slot = "brace"
            else:
                self._emit(kind, text, start, end, line, "junk")
                self.slot = "top"
            return
        if kind == "NAME":
            self.candidate = len(self.tokens)
        role = self._inside(kind, text, line)
        self._emit(kind, text, start, end, line, role)

    def _emit(self, kind: str, text: str, start: int, end: int, line: int, role: Role) -> None:
        self.tokens.append(Token(kind, text, start, end, line, role))

    def _enter(self, block: str | None, slot: str) -> None:
        self.block, self.slot = block, slot
        self.used_names, self.used_keys = [], []

    def _open(self, text: str, start: int, end: int, line: int) -> None:
        """'{' opens a block after a name, even inside a block whose '}' is missing."""
        index = self.candidate
        self.candidate = None
        if index is None or index != len(self.tokens) - 1:
            self._emit("LBRACE", text, start, end, line, "junk")
            return
        name = self.tokens[index]
        known = name.text in BLOCK_KEYWORDS
        self.tokens[index] = name._replace(role="block" if known else "unknown-block")
        self._emit("LBRACE", text, start, end, line, "brace")
        block = name.text if known else "unknown"
        self._enter(block, _FIRST_SLOT[block])

    def _new_entry(self, line: int) -> None:
        self.slot = _FIRST_SLOT[self.block or "unknown"]
        self.entry_line = line
        self.used_keys = []

    def _inside(self, kind: str, text: str, line: int) -> Role:
        """The role of a token inside a block, updating the slot."""
        slot = self.slot
        if slot.startswith("value:"):
            # A value belongs to its key only on the key's line, and is never a keyword.
            if kind in _VALUES and line == self.key_line and text not in _RESERVED:
                self.slot = slot[len("value:") :]
                if self.key == "check" and kind == "NAME":
                    return "check"
                return _value_role(kind)
            self.slot = slot = slot[len("value:") :]
        if kind == "ATTR_KEY":
            self.key = text.rstrip("= \t")
            self.key_line = line
            self.used_keys.append(self.key)
            if self.block in ("reward_rubric", "checks") and slot in _ENTRY_STARTS:
                self.entry_line = line
            after = "attributes" if self.block in ("reward_rubric", "checks") else slot
            self.slot = "value:" + after
            return "attribute"
        block = self.block
        if block == "task":
            if kind == "NAME" and (slot == "task-field" or line != self.entry_line):
                self._new_entry(line)
                self.slot = "task-value"
                return "field"
            if slot == "task-value":
                self.slot = "task-field"
                return _value_role(kind)
            return "junk"
        if block == "reward_rubric":
            starts_entry = slot != "criterion-name" and (
                slot != "unknown-value" or text in _RESERVED
            )
            if kind == "NAME" and starts_entry:
                self._new_entry(line)
                if text == "criterion":
                    self.slot = "criterion-name"
                elif text == "scale":
                    self.slot = "scale-value"
                else:
                    self.slot = "unknown-value"
                    return "field"
                return "keyword"
            if kind == "NAME" and slot == "criterion-name":
                self.slot = "attributes"
                return "definition"
            if slot == "unknown-value" and text not in _RESERVED:
                self.slot = "attributes"
                return _value_role(kind)
            if slot == "scale-value":
                self.slot = "attributes"
                return _value_role(kind)
            return "junk"
        if block == "checks":
            if kind == "NAME":
                self._new_entry(line)
                self.slot = "attributes"
                return "check"
            return "junk"
        if block in ("score", "rescore"):
            if kind == "NAME" and (
                slot in ("score-name", "score-comment") or line != self.entry_line
            ):
                self._new_entry(line)
                self.used_names.append(text)
                self.slot = "score-points"
                return "reference"
            if slot == "score-points":
                self.slot = "score-comment"
                return _value_role(kind)
            if slot == "score-comment" and kind == "STRING":
                self.slot = "score-name"
                return "string"
            return "junk"
        if block == "critique":
            if kind == "NAME" and slot == "critique-name":
                self.used_names.append(text)
                self.slot = "critique-comment"
                return "reference"
            if kind == "NAME":
                self._new_entry(line)
                self.slot = "critique-name"
                return "verb"
            if slot == "critique-comment" and kind == "STRING":
                self.slot = "critique-verb"
                return "string"
            return "junk"
        if block in ("accept_if", "review_if"):
            if kind == "NAME" and slot == "rule-target" and line == self.entry_line:
                self.used_names.append(text)
                self.slot = "rule-numbers"
                return "reference"
            if kind == "NAME":
                self._new_entry(line)
                self.slot = "rule-target"
                return "rule"
            if kind in ("NUMBER", "PERCENT") and slot in ("rule-target", "rule-numbers"):
                self.slot = "rule-more"
                return "number"
            if kind in ("NUMBER", "PERCENT") and slot == "rule-more":
                return "number"
            return "junk"
        return _value_role(kind)

    def context(self, line: int, prefix: str, start: int, inside_text: bool) -> Context:
        """The slot of a word typed on ``line`` after the tokens fed so far."""
        block = self.block
        used_names, used_keys = tuple(self.used_names), tuple(self.used_keys)
        if inside_text:
            return Context("none", block, prefix, start)
        slot = self.slot
        same_line = line == self.entry_line
        if slot.startswith("value:"):
            if line == self.key_line:
                if self.key == "check" and block == "reward_rubric":
                    return Context("check-name", block, prefix, start)
                if self.key == "enabled" and block == "checks":
                    return Context("boolean", block, prefix, start)
                return Context("none", block, prefix, start)
            slot = slot[len("value:") :]
        resolved: Slot = "none"
        if block is None:
            # A second name before '{' replaces the first: the parser reports the first.
            resolved = "block-keyword" if slot == "top" or prefix else "none"
        elif block == "task":
            resolved = "task-field" if slot == "task-field" or not same_line else "none"
        elif block == "reward_rubric":
            if slot == "rubric-entry":
                resolved = "rubric-entry"
            elif slot == "attributes":
                resolved = "criterion-attribute" if same_line else "rubric-entry"
            elif slot in ("scale-value", "unknown-value", "criterion-name") and not same_line:
                resolved = "rubric-entry"
        elif block == "checks":
            if slot == "checks-entry" or not same_line:
                resolved = "checks-entry"
            else:
                resolved = "check-setting"
        # After a whole entry, a name typed on the same line starts the next entry.
        elif block in ("score", "rescore"):
            if slot == "score-name" or not same_line or (slot == "score-comment" and prefix):
                resolved = "criterion-name"
        elif block == "critique":
            if slot == "critique-name":
                resolved = "criterion-name"
            elif slot == "critique-verb" or not same_line or prefix:
                resolved = "critique-verb"
        elif block in ("accept_if", "review_if"):
            if slot == "rule-keyword" or not same_line or (slot == "rule-more" and prefix):
                resolved = "rule-keyword"
            elif slot == "rule-target" and self._last_rule() == "minimum":
                resolved = "criterion-name"
        return Context(resolved, block, prefix, start, used_names, used_keys)

    def _last_rule(self) -> str | None:
        for token in reversed(self.tokens):
            if token.role == "rule":
                return token.text
        return None


_FIRST_SLOT = {
    "task": "task-field",
    "reward_rubric": "rubric-entry",
    "checks": "checks-entry",
    "score": "score-name",
    "rescore": "score-name",
    "critique": "critique-verb",
    "accept_if": "rule-keyword",
    "review_if": "rule-keyword",
    "unknown": "unknown",
}
_ENTRY_STARTS = frozenset(_FIRST_SLOT.values())


def _value_role(kind: str) -> Role:
    if kind in ("NUMBER", "PERCENT", "RANGE"):
        return "number"
    if kind == "STRING":
        return "string"
    if kind == "JUNK":
        return "junk"
    return "value"


def _run(text: str, end: int | None = None, begin: int = 0) -> _Machine:
    """Feed every token of ``text[begin:end]`` to a new machine."""
    machine = _Machine()
    line = text.count("\n", 0, begin) if begin else 0
    feed = machine.feed
    for match in _TOKEN.finditer(text, begin, len(text) if end is None else end):
        kind = match.lastgroup
        assert kind is not None
        if kind == "WS":
            line += match.group().count("\n")
            continue
        feed(kind, match.group(), match.start(), match.end(), line)
    return machine


# A line that opens a block: `NAME {`, only blanks around.
_OPENS_BLOCK = re.compile(r"[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\{")
_RESTART_TRIES = 64


def restart_point(text: str, end: int) -> int:
    """The start of the last line before ``end`` that begins with ``NAME {``."""
    # Scanning may start there instead of at the top: a line start is never inside a
    # string or comment, a value never crosses a line, and ``NAME {`` opens a block in
    # every state, so the state after it does not depend on what came before. This keeps
    # completion and hover time bounded by the block, not the file.
    brace = text.rfind("{", 0, end)
    for _ in range(_RESTART_TRIES):
        if brace == -1:
            return 0
        line_start = text.rfind("\n", 0, brace) + 1
        match = _OPENS_BLOCK.match(text, line_start)
        if match is not None and match.end() == brace + 1:
            return line_start
        brace = text.rfind("{", 0, brace)
    return 0


def tokens(text: str) -> list[Token]:
    """Every token of a document except whitespace, with its role, in order."""
    return _run(text).tokens


def token_at_offset(text: str, offset: int) -> tuple[Token | None, str | None]:
    """The token under an offset (or ending right before it) and the block it is in."""
    offset = max(0, min(offset, len(text)))
    begin = restart_point(text, offset)
    machine = _Machine()
    line = text.count("\n", 0, begin)
    found: int | None = None
    block: str | None = None
    for match in _TOKEN.finditer(text, begin):
        kind = match.lastgroup
        assert kind is not None
        if kind == "WS":
            line += match.group().count("\n")
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
    line = text.count("\n", 0, start)
    # A number is being typed, not a name; or the position is inside a string or comment.
    inside = bool(prefix and not _NAME.match(prefix)) or _inside_text(machine.tokens, start)
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
