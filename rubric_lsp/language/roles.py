"""The role of each token and the slot of each position, following each block's entry shape.

A small state machine, fed one token at a time, recovers the way the parser does: ``NAME {``
inside a block starts a new block, and a value on a new line after ``key=`` is not that key's
value. Which machine a block follows comes from its entry shape in the vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from rubric_lsp.language.vocabulary import (
    BLOCKS,
    CHECK_SETTING_FIELDS,
    CRITERION_ATTRIBUTES,
    RESERVED,
    EntryShape,
    ValueShape,
)

_VALUES = frozenset({"STRING", "RANGE", "PERCENT", "NUMBER", "NAME"})

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


class Machine:
    """Follows the entry shapes of each block kind, one token at a time."""

    def __init__(self) -> None:
        self.block: str | None = None
        self.shape: EntryShape | Literal["unknown"] | None = None
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
            self._enter(None)
            return
        if self.block is None:
            if kind == "NAME":
                self.candidate = len(self.tokens)
                role: Role = "block" if text in BLOCKS else "unknown-block"
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

    def _enter(self, block: str | None) -> None:
        """Enter a block (None: back at the top level), at the first slot of its entries."""
        self.block = block
        if block is None:
            self.shape, self.slot = None, "top"
        else:
            spec = BLOCKS.get(block)
            self.shape = spec.shape if spec is not None else "unknown"
            self.slot = _FIRST_SLOT[self.shape]
        self.used_names, self.used_keys = [], []

    def _open(self, text: str, start: int, end: int, line: int) -> None:
        """'{' opens a block after a name, even inside a block whose '}' is missing."""
        index = self.candidate
        self.candidate = None
        if index is None or index != len(self.tokens) - 1:
            self._emit("LBRACE", text, start, end, line, "junk")
            return
        name = self.tokens[index]
        known = name.text in BLOCKS
        self.tokens[index] = name._replace(role="block" if known else "unknown-block")
        self._emit("LBRACE", text, start, end, line, "brace")
        block = name.text if known else "unknown"
        self._enter(block)

    def _new_entry(self, line: int) -> None:
        self.slot = _FIRST_SLOT[self.shape or "unknown"]
        self.entry_line = line
        self.used_keys = []

    def _inside(self, kind: str, text: str, line: int) -> Role:
        """The role of a token inside a block, updating the slot."""
        slot = self.slot
        if slot.startswith("value:"):
            # A value belongs to its key only on the key's line, and is never a keyword.
            if kind in _VALUES and line == self.key_line and text not in RESERVED:
                self.slot = slot[len("value:") :]
                if _VALUE_SHAPES.get(self.key) == "check-name" and kind == "NAME":
                    return "check"
                return _value_role(kind)
            self.slot = slot = slot[len("value:") :]
        if kind == "ATTR_KEY":
            self.key = text.rstrip("= \t")
            self.key_line = line
            self.used_keys.append(self.key)
            takes_attributes = self.shape in _ATTRIBUTES
            if takes_attributes and slot in _ENTRY_STARTS:
                self.entry_line = line
            after = "attributes" if takes_attributes else slot
            self.slot = "value:" + after
            return "attribute"
        shape = self.shape
        if shape == "fields":
            if kind == "NAME" and (slot == "task-field" or line != self.entry_line):
                self._new_entry(line)
                self.slot = "task-value"
                return "field"
            if slot == "task-value":
                self.slot = "task-field"
                return _value_role(kind)
            return "junk"
        if shape == "rubric":
            starts_entry = slot != "criterion-name" and (
                slot != "unknown-value" or text in RESERVED
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
            if slot == "unknown-value" and text not in RESERVED:
                self.slot = "attributes"
                return _value_role(kind)
            if slot == "scale-value":
                self.slot = "attributes"
                return _value_role(kind)
            return "junk"
        if shape == "settings":
            if kind == "NAME":
                self._new_entry(line)
                self.slot = "attributes"
                return "check"
            return "junk"
        if shape == "scores":
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
        if shape == "critiques":
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
        if shape == "rules":
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
        block, shape = self.block, self.shape
        used_names, used_keys = tuple(self.used_names), tuple(self.used_keys)
        if inside_text:
            return Context("none", block, prefix, start)
        slot = self.slot
        same_line = line == self.entry_line
        if slot.startswith("value:"):
            if line == self.key_line:
                fields = _ATTRIBUTES.get(shape or "unknown", {})
                value = fields[self.key].value if self.key in fields else None
                return Context(_VALUE_SLOTS.get(value, "none"), block, prefix, start)
            slot = slot[len("value:") :]
        resolved: Slot = "none"
        if block is None:
            # A second name before '{' replaces the first: the parser reports the first.
            resolved = "block-keyword" if slot == "top" or prefix else "none"
        elif shape == "fields":
            resolved = "task-field" if slot == "task-field" or not same_line else "none"
        elif shape == "rubric":
            if slot == "rubric-entry":
                resolved = "rubric-entry"
            elif slot == "attributes":
                resolved = "criterion-attribute" if same_line else "rubric-entry"
            elif slot in ("scale-value", "unknown-value", "criterion-name") and not same_line:
                resolved = "rubric-entry"
        elif shape == "settings":
            if slot == "checks-entry" or not same_line:
                resolved = "checks-entry"
            else:
                resolved = "check-setting"
        # After a whole entry, a name typed on the same line starts the next entry.
        elif shape == "scores":
            if slot == "score-name" or not same_line or (slot == "score-comment" and prefix):
                resolved = "criterion-name"
        elif shape == "critiques":
            if slot == "critique-name":
                resolved = "criterion-name"
            elif slot == "critique-verb" or not same_line or prefix:
                resolved = "critique-verb"
        elif shape == "rules":
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


# The slot each entry shape starts its entries in.
_FIRST_SLOT: dict[str, str] = {
    "fields": "task-field",
    "rubric": "rubric-entry",
    "settings": "checks-entry",
    "scores": "score-name",
    "critiques": "critique-verb",
    "rules": "rule-keyword",
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


# The entry shapes whose entries take key=value attributes, and the attributes they know.
_ATTRIBUTES = {"rubric": CRITERION_ATTRIBUTES, "settings": CHECK_SETTING_FIELDS}
_VALUE_SHAPES: dict[str, ValueShape] = {
    key: field.value for fields in _ATTRIBUTES.values() for key, field in fields.items()
}
# Values completion can offer after a key=.
_VALUE_SLOTS: dict[ValueShape | None, Slot] = {"check-name": "check-name", "boolean": "boolean"}
