"""Model names, values and ranges from lark tokens, and the empty tokens recovery inserts."""

from __future__ import annotations

from lark import Token

from rubric_lsp.language.model import Attribute, Entry, Name, Position, Range, Value, ValueKind

VALUE_KINDS: dict[str, ValueKind] = {
    "NUMBER": "number",
    "PERCENT": "percent",
    "NAME": "name",
    "STRING": "string",
    "RANGE": "range",
}

# tuple.__new__ skips NamedTuple's Python-level constructor: this runs per token.
_new = tuple.__new__


def token_range(token: Token) -> Range:
    """The 0-based range of a lark token."""
    return _new(
        Range,
        (
            _new(Position, (token.line - 1, token.column - 1)),  # type: ignore[operator]
            _new(Position, (token.end_line - 1, token.end_column - 1)),  # type: ignore[operator]
        ),
    )


def token_name(token: Token) -> Name:
    """The name a token spells, with its range."""
    return _new(Name, (str(token), token_range(token)))


def token_value(token: Token) -> Value:
    """The literal a token spells, with its kind and range."""
    return _new(Value, (VALUE_KINDS[token.type], str(token), token_range(token)))


def token_start(token: Token) -> Position:
    """Where a token starts, 0-based."""
    return _new(Position, (token.line - 1, token.column - 1))  # type: ignore[no-any-return,operator]


def span(first: Token | Entry | Attribute, last: Token | Entry | Attribute) -> Range:
    """The range from the start of ``first`` to the end of ``last``."""
    start = token_start(first) if isinstance(first, Token) else first.range.start
    if isinstance(last, Token):
        end = _new(Position, (last.end_line - 1, last.end_column - 1))  # type: ignore[operator]
    else:
        end = last.range.end
    return _new(Range, (start, end))  # type: ignore[no-any-return]


def empty_token(kind: str, at: Token) -> Token:
    """A zero-width token of one kind where the parser needed one: a missing value or '}'."""
    return Token(
        kind,
        "",
        start_pos=at.start_pos,
        line=at.line,
        column=at.column,
        end_line=at.line,
        end_column=at.column,
        end_pos=at.start_pos,
    )
