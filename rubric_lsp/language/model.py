"""Typed model of a parsed .rubric document, independent of lark's tree types."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, TypeVar

DEFAULT_SCALE = (0.0, 5.0)


class Position(NamedTuple):
    """A 0-based line and character offset, counted in Unicode code points."""

    line: int
    character: int


class Range(NamedTuple):
    """A half-open span of source text."""

    start: Position
    end: Position

    def contains(self, position: Position) -> bool:
        """Whether ``position`` lies inside the range or touches its end."""
        return self.start <= position <= self.end

    @staticmethod
    def span(first: Range, last: Range) -> Range:
        """The range from the start of ``first`` to the end of ``last``."""
        return Range(first.start, last.end)


class Severity(enum.IntEnum):
    """Diagnostic severities, numbered as in LSP."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        """The lower-case word compilers print for this severity."""
        return self.name.lower()


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a document, with a stable code and a fix hint."""

    range: Range
    severity: Severity
    code: str
    message: str
    # A replacement the quick fix may offer (e.g. the "did you mean" name).
    suggestion: str | None = None


class Name(NamedTuple):
    """An identifier occurrence: a keyword, criterion, check or attribute key."""

    text: str
    range: Range


ValueKind = Literal["number", "percent", "name", "string", "range"]


class Value(NamedTuple):
    """A literal as written, with its decoded meaning."""

    kind: ValueKind
    raw: str
    range: Range

    @property
    def number(self) -> float | None:
        """The numeric value of a number or percentage (20% is 0.2)."""
        if not self.raw:  # a placeholder the parser put where a value was missing
            return None
        if self.kind == "number":
            return float(self.raw)
        if self.kind == "percent":
            return float(self.raw[:-1]) / 100.0
        return None

    @property
    def text(self) -> str:
        """The decoded text of a string, or the raw text of anything else."""
        if self.kind != "string":
            return self.raw
        body = self.raw[1:-1] if self.terminated else self.raw[1:]
        return _unescape(body)

    @property
    def terminated(self) -> bool:
        """Whether a string literal has its closing quote."""
        if self.kind != "string":
            return True
        return len(self.raw) >= 2 and self.raw.endswith('"') and not _ends_escaped(self.raw[1:-1])

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The (low, high) of a range literal such as ``0..5``."""
        if self.kind != "range":
            return None
        low, high = self.raw.split("..")
        return float(low), float(high)


def _ends_escaped(body: str) -> bool:
    """Whether the character after ``body`` would be escaped by a backslash."""
    count = len(body) - len(body.rstrip("\\"))
    return count % 2 == 1


def _unescape(body: str) -> str:
    """Decode ``\\"`` and ``\\\\`` escapes; other backslashes stay as written."""
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in '"\\':
            out.append(body[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def quote(text: str) -> str:
    """Write ``text`` as a .rubric string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Attribute:
    """A ``key=value`` pair on a criterion or check."""

    key: Name
    value: Value
    range: Range


@dataclass(frozen=True)
class Comment:
    """A ``#`` comment, kept so the formatter can put it back."""

    text: str
    range: Range


def last_attribute(attributes: tuple[Attribute, ...], key: str) -> Attribute | None:
    """The last attribute with a key: when one is repeated, the later one wins."""
    for attribute in reversed(attributes):
        if attribute.key.text == key:
            return attribute
    return None


class _Attributed:
    """An entry with ``key=value`` attributes, where a repeated key's later value wins."""

    attributes: tuple[Attribute, ...]

    def attribute(self, key: str) -> Attribute | None:
        """The last attribute with this key, as later ones win."""
        return last_attribute(self.attributes, key)


@dataclass(frozen=True)
class Entry:
    """Base class of every entry inside a block."""

    range: Range


@dataclass(frozen=True)
class TaskField(Entry):
    """``title "..."``, ``objective "..."`` or ``constraints "..."``."""

    key: Name
    value: Value


@dataclass(frozen=True)
class Criterion(Entry, _Attributed):
    """``criterion NAME weight=N check=NAME``."""

    keyword: Name
    name: Name
    attributes: tuple[Attribute, ...]

    @property
    def weight(self) -> float:
        """The declared weight, or 1 when absent or not a positive number."""
        attribute = self.attribute("weight")
        value = attribute.value.number if attribute else None
        return value if value is not None and value > 0 else 1.0

    @property
    def check_name(self) -> str | None:
        """The ``check=`` binding as written, if any."""
        attribute = self.attribute("check")
        return attribute.value.text if attribute else None

    @property
    def describe(self) -> str:
        """The ``describe="..."`` text: what a good change does here; empty when absent."""
        attribute = self.attribute("describe")
        return attribute.value.text if attribute and attribute.value.kind == "string" else ""


@dataclass(frozen=True)
class Scale(Entry):
    """``scale LOW..HIGH``."""

    keyword: Name
    value: Value


@dataclass(frozen=True)
class UnknownField(Entry):
    """An entry in ``reward_rubric`` whose keyword is not a known field."""

    key: Name
    value: Value | None
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class CheckConfig(Entry, _Attributed):
    """``NAME command="..." timeout=N`` inside ``checks``."""

    name: Name
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class ScoreEntry(Entry):
    """``NAME POINTS ["comment"]`` inside ``score`` or ``rescore``."""

    name: Name
    points: Value
    comment: Value | None


@dataclass(frozen=True)
class CritiqueEntry(Entry):
    """``revise NAME ["what to do"]`` inside ``critique``."""

    verb: Name
    name: Name
    comment: Value | None


@dataclass(frozen=True)
class Rule(Entry):
    """An acceptance or review rule: ``total_gte 27``, ``minimum tests 4`` ..."""

    keyword: Name
    target: Name | None
    arguments: tuple[Value, ...]


_E = TypeVar("_E", bound=Entry)

BlockKind = Literal[
    "task",
    "reward_rubric",
    "checks",
    "score",
    "rescore",
    "critique",
    "accept_if",
    "review_if",
    "unknown",
]


@dataclass(frozen=True)
class Block:
    """A top-level block: its keyword, braces and entries in source order."""

    kind: BlockKind
    keyword: Name
    range: Range
    open_brace: Range
    close_brace: Range
    entries: tuple[Entry, ...]
    # Loose tokens of an unknown block, kept only for formatting.
    contents: tuple[Value, ...] = ()

    def entries_of(self, kind: type[_E]) -> Iterator[_E]:
        """The entries of one type, in source order."""
        return (entry for entry in self.entries if isinstance(entry, kind))

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """The criteria of a ``reward_rubric`` block."""
        return tuple(self.entries_of(Criterion))


@dataclass
class Document:
    """A parsed document: blocks, comments, syntax errors and a symbol table."""

    text: str
    blocks: list[Block]
    comments: list[Comment]
    syntax_errors: list[Diagnostic]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lines:
            # Imported here: the lines module needs this module's Position.
            from rubric_lsp.language.lines import split_lines

            self.lines = split_lines(self.text)

    def blocks_of(self, kind: BlockKind) -> list[Block]:
        """Every block of one kind, in source order."""
        return [block for block in self.blocks if block.kind == kind]

    def first(self, kind: BlockKind) -> Block | None:
        """The first block of one kind, the one that counts when duplicated."""
        # Asked once per entry by validation: scanning every block each time made
        # checking a file of many blocks quadratic. Rebuilt if the blocks change.
        firsts = self.__dict__.get("_firsts")
        if firsts is None or firsts[0] != len(self.blocks):
            found: dict[str, Block] = {}
            for block in self.blocks:
                found.setdefault(block.kind, block)
            firsts = self.__dict__["_firsts"] = (len(self.blocks), found)
        return firsts[1].get(kind)

    @property
    def criteria(self) -> list[Criterion]:
        """Criteria of the (first) ``reward_rubric`` block, duplicates included."""
        block = self.first("reward_rubric")
        return list(block.criteria) if block else []

    def criterion(self, name: str) -> Criterion | None:
        """The first definition of a criterion."""
        for criterion in self.criteria:
            if criterion.name.text == name:
                return criterion
        return None

    @property
    def scale(self) -> tuple[float, float]:
        """The declared scale, or 0..5 when absent or invalid."""
        block = self.first("reward_rubric")
        if block:
            for entry in block.entries:
                if isinstance(entry, Scale):
                    bounds = entry.value.bounds
                    if bounds and bounds[0] < bounds[1]:
                        return bounds
        return DEFAULT_SCALE

    @property
    def symbols(self) -> SymbolTable:
        """The criterion definitions and references of this document."""
        return SymbolTable.build(self)


@dataclass(frozen=True)
class Occurrence:
    """One appearance of a criterion name, either its definition or a use."""

    name: Name
    is_definition: bool
    block: Block


@dataclass
class SymbolTable:
    """Every criterion name occurrence, for navigation, rename and hover."""

    occurrences: list[Occurrence]

    @classmethod
    def build(cls, document: Document) -> SymbolTable:
        """Collect occurrences from every block that names criteria."""
        found: list[Occurrence] = []
        for block in document.blocks:
            for name, is_definition in _criterion_names(block):
                found.append(Occurrence(name, is_definition, block))
        return cls(found)

    def definitions(self, name: str) -> list[Occurrence]:
        """Where a criterion is defined (more than one means a duplicate)."""
        return [o for o in self.occurrences if o.is_definition and o.name.text == name]

    def references(self, name: str, include_definition: bool = True) -> list[Occurrence]:
        """Every occurrence of a criterion name."""
        return [
            o
            for o in self.occurrences
            if o.name.text == name and (include_definition or not o.is_definition)
        ]

    def at(self, position: Position) -> Occurrence | None:
        """The occurrence under a position, if any."""
        for occurrence in self.occurrences:
            if occurrence.name.range.contains(position):
                return occurrence
        return None


def _criterion_names(block: Block) -> Iterator[tuple[Name, bool]]:
    """The criterion-name occurrences inside one block."""
    for entry in block.entries:
        if isinstance(entry, Criterion) and block.kind == "reward_rubric":
            yield entry.name, True
        elif isinstance(entry, ScoreEntry | CritiqueEntry):
            yield entry.name, False
        elif isinstance(entry, Rule) and entry.target is not None:
            yield entry.target, False
