"""Every place a criterion name is defined or used: what navigation and rename answer from."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from rubric_lsp.language.lexer import name_pattern
from rubric_lsp.language.lines import LineIndex
from rubric_lsp.language.model import Document, Position, Range
from rubric_lsp.language.roles import Token
from rubric_lsp.language.vocabulary import RESERVED


class ParsedText(Protocol):
    """A text with its parse, its token roles and its line index (an editor's snapshot)."""

    @property
    def document(self) -> Document:
        """The parsed model."""

    @property
    def tokens(self) -> list[Token]:
        """The tokens of the text with their roles."""

    @property
    def index(self) -> LineIndex:
        """Line starts of the text."""


class Mention(NamedTuple):
    """One appearance of a criterion name."""

    text: str
    range: Range
    is_definition: bool


def mentions(source: ParsedText) -> list[Mention]:
    """Every criterion name in a document, definitions and uses, in order."""
    document = source.document
    if not document.syntax_errors:
        return [
            Mention(o.name.text, o.name.range, o.is_definition)
            for o in document.symbols.occurrences
        ]
    # Recovery drops entries it cannot fit; the token roles still see every name, so a
    # rename in a half-typed file does not leave some uses behind.
    index = source.index
    return [
        Mention(
            t.text, Range(index.position(t.start), index.position(t.end)), t.role == "definition"
        )
        for t in source.tokens
        if t.role in ("definition", "reference")
    ]


def mention_at(every: list[Mention], position: Position) -> Mention | None:
    """The mention under a position, if any."""
    for mention in every:
        if mention.range.contains(position):
            return mention
    return None


def check_new_name(new_name: str, existing: set[str]) -> str | None:
    """Why a criterion may not be renamed to ``new_name``, or None when it may."""
    if not name_pattern().match(new_name):
        return f"'{new_name}' is not a name: use letters, digits and '_', not starting with a digit"
    if new_name in RESERVED:
        # Valid as a name, but a criterion called so would read as a keyword in some blocks.
        return f"'{new_name}' is a keyword; choose another name"
    if new_name in existing:
        return f"a criterion named '{new_name}' already exists"
    return None
