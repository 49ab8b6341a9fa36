"""Parse .rubric text into the typed model, recovering from syntax errors."""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, cast

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedInput
from lark.lark import PostLex

from rubric_lsp.language.lines import line_feeds_only
from rubric_lsp.language.model import (
    Attribute,
    Block,
    BlockKind,
    CheckConfig,
    Comment,
    Criterion,
    CritiqueEntry,
    Diagnostic,
    Document,
    Name,
    Position,
    Range,
    Rule,
    Scale,
    ScoreEntry,
    Severity,
    TaskField,
    UnknownField,
    Value,
)
from rubric_lsp.language.recovery import MAX_SYNTAX_ERRORS, MISSING_VALUE, Recovery, trial_copy
from rubric_lsp.language.spans import span, token_name, token_range, token_start, token_value
from rubric_lsp.language.vocabulary import BLOCKS, RESERVED

# Past this size a document is not parsed: one diagnostic says so instead.
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024
# Re-exported: tests and callers know the limit by the parser's name.
__all__ = ["MAX_DOCUMENT_CHARS", "MAX_SYNTAX_ERRORS", "Document", "parse"]


def grammar_text() -> str:
    """The grammar, from the installed package or from a source checkout."""
    packaged = resources.files("rubric_lsp").joinpath("grammar/rubric.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "rubric.lark"
    return checkout.read_text(encoding="utf-8")


class _ModelBuilder(Transformer[Token, list[Block]]):
    """Builds model objects as the LALR parser reduces each rule."""

    def start(self, children: list[Block]) -> list[Block]:
        return children

    def attribute(self, children: list[Token]) -> Attribute:
        key_token, value_token = children
        key_text = key_token.rstrip("= \t")
        key_range = token_range(key_token)
        key_end = Position(key_range.start.line, key_range.start.character + len(key_text))
        return Attribute(
            Name(key_text, Range(key_range.start, key_end)),
            token_value(value_token),
            span(key_token, value_token),
        )

    def task_field(self, children: list[Token]) -> TaskField:
        key, value = children
        return TaskField(span(key, value), token_name(key), token_value(value))

    def criterion(self, children: list[Any]) -> Criterion:
        keyword, name, *attributes = children
        return Criterion(
            span(keyword, children[-1]), token_name(keyword), token_name(name), tuple(attributes)
        )

    def scale(self, children: list[Token]) -> Scale:
        keyword, value = children
        return Scale(span(keyword, value), token_name(keyword), token_value(value))

    def unknown_field(self, children: list[Any]) -> UnknownField:
        key, *rest = children
        value = token_value(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        return UnknownField(span(key, children[-1]), token_name(key), value, tuple(rest))

    def check_entry(self, children: list[Any]) -> CheckConfig:
        name, *attributes = children
        return CheckConfig(span(name, children[-1]), token_name(name), tuple(attributes))

    def score_entry(self, children: list[Token]) -> ScoreEntry:
        name, points, *comment = children
        return ScoreEntry(
            span(name, children[-1]),
            token_name(name),
            token_value(points),
            token_value(comment[0]) if comment else None,
        )

    def critique_entry(self, children: list[Token]) -> CritiqueEntry:
        verb, name, *comment = children
        return CritiqueEntry(
            span(verb, children[-1]),
            token_name(verb),
            token_name(name),
            token_value(comment[0]) if comment else None,
        )

    def rule(self, children: list[Token]) -> Rule:
        keyword, *rest = children
        target = token_name(rest.pop(0)) if rest and rest[0].type == "NAME" else None
        return Rule(
            span(keyword, children[-1]),
            token_name(keyword),
            target,
            tuple(token_value(token) for token in rest),
        )

    def _make_block(self, kind: BlockKind, children: list[Any]) -> Block:
        keyword, open_brace, *entries, close_brace = children
        return Block(
            kind,
            token_name(keyword),
            span(keyword, close_brace),
            token_range(open_brace),
            token_range(close_brace),
            tuple(entries),
        )

    def unknown_block(self, children: list[Token]) -> Block:
        keyword, open_brace, *contents, close_brace = children
        return Block(
            "unknown",
            token_name(keyword),
            span(keyword, close_brace),
            token_range(open_brace),
            token_range(close_brace),
            (),
            tuple(token_value(token) for token in contents),
        )


def _block_builder(kind: BlockKind) -> Callable[[_ModelBuilder, list[Any]], Block]:
    def build(self: _ModelBuilder, children: list[Any]) -> Block:
        return self._make_block(kind, children)

    build.__doc__ = f"Build a {kind} block."
    return build


# The grammar rule of each block the vocabulary names builds that block.
for _spec in BLOCKS.values():
    setattr(_ModelBuilder, _spec.grammar_rule, _block_builder(_spec.kind))


@functools.cache
def lark_parser() -> Lark:
    """The shared LALR parser, built once per process."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=_ModelBuilder(),
        postlex=_KeywordsAfterKeys(),
        lexer_callbacks={"COMMENT": _on_comment, "STRING": _on_string},
        maybe_placeholders=False,
    )


class _KeywordsAfterKeys(PostLex):
    """Keep ``key=`` at the end of a line from taking the next line as its value.

    A value starts on the line of its key, and a keyword is never a value;
    otherwise ``weight=`` with its number forgotten would swallow the next
    line's first word and misread the rest of the block.
    """

    always_accept: tuple[str, ...] = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """Retype NAME tokens that spell a keyword after an attribute key."""
        previous: Token | None = None
        for token in stream:
            if previous is not None and previous.type == "ATTR_KEY":
                if token.type == "NAME" and token in RESERVED:
                    token = Token.new_borrow_pos(str(token).upper(), str(token), token)
                if token.line != previous.end_line:
                    # Marked, not split: a token yielded here and not yet
                    # consumed would be lost when recovery resumes the lexer.
                    token = Token.new_borrow_pos(f"{MISSING_VALUE}:{token.type}", str(token), token)
            previous = token
            yield token


class _Collected(threading.local):
    """Comments and unterminated strings seen by the lexer during one parse."""

    comments: list[Token]
    unterminated: list[Token]


_collected = _Collected()
_EMPTY_RANGE = Range(Position(0, 0), Position(0, 0))


def _on_comment(token: Token) -> Token:
    _collected.comments.append(token)
    return token


def _on_string(token: Token) -> Token:
    # Runs for every string: settle the common case (closed, no escape before it) cheaply.
    if len(token) >= 2 and token[-1] == '"' and token[-2] != "\\":
        return token
    if not Value("string", str(token), _EMPTY_RANGE).terminated:
        _collected.unterminated.append(token)
    return token


def _comment(token: Token) -> Comment:
    text = str(token).rstrip("\r")
    start = token_start(token)
    return Comment(text, Range(start, Position(start.line, start.character + len(text))))


def _unterminated(token: Token) -> Diagnostic:
    text = str(token).rstrip("\r")
    start = token_start(token)
    return Diagnostic(
        Range(start, Position(start.line, start.character + len(text))),
        Severity.ERROR,
        "unterminated-string",
        "unterminated string: add the closing '\"' before the end of the line",
    )


def _ended_here(error: UnexpectedInput) -> list[Block] | None:
    """The blocks, when the file could end where the parser stopped."""
    # The last block may be complete but not yet reduced: LALR reduces it on the next
    # token, which was the one in error.
    parser = getattr(error, "interactive_parser", None)
    if parser is None:
        return None
    try:
        return cast(list[Block], trial_copy(parser).feed_eof())  # type: ignore[no-untyped-call]
    except UnexpectedInput:
        return None


def _finished_blocks(stack: list[Any]) -> Iterator[Block]:
    for item in stack:
        if isinstance(item, Block):
            yield item
        elif isinstance(item, list):
            yield from _finished_blocks(item)
        elif isinstance(item, Tree):
            # Lark's list of the blocks so far (``_block*``).
            yield from _finished_blocks(item.children)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small long-lived objects.

    The model has no reference cycles; collections triggered while it grows
    made parsing cost grow faster than the document's size.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(text: str) -> Document:
    """Parse a document; syntax errors are collected, never raised."""
    with paused_gc():
        return _parse(text)


def _parse(text: str) -> Document:
    if len(text) > MAX_DOCUMENT_CHARS:
        start = Position(0, 0)
        message = (
            f"file too large to check ({len(text) // 1024} KiB; the limit is "
            f"{MAX_DOCUMENT_CHARS // 1024} KiB)"
        )
        error = Diagnostic(Range(start, start), Severity.ERROR, "file-too-large", message)
        return Document(text, [], [], [error])
    # Lark counts lines at LF only; a lone CR ends a line for LSP and editors.
    lexed = line_feeds_only(text)
    recovery = Recovery(lexed)
    blocks: list[Block] = []
    _collected.comments, _collected.unterminated = [], []
    try:
        blocks = cast(list[Block], lark_parser().parse(lexed, on_error=recovery))
    except UnexpectedInput as error:
        # Recovery gave up (too many errors, or nothing left to resume from):
        # keep every block that was complete by then.
        blocks = _ended_here(error) or list(_finished_blocks(recovery.last_stack))
        if recovery.gave_up:
            here = Position(error.line - 1 if error.line > 0 else 0, 0)
            recovery.errors.append(
                Diagnostic(
                    Range(here, here),
                    Severity.ERROR,
                    "too-many-errors",
                    f"too many syntax errors; stopped after {MAX_SYNTAX_ERRORS}",
                )
            )
    comments = [_comment(token) for token in _collected.comments]
    unterminated = [_unterminated(token) for token in _collected.unterminated]
    _collected.comments, _collected.unterminated = [], []
    errors = recovery.errors
    known = {(e.range.start, e.code) for e in errors}
    errors.extend(d for d in unterminated if (d.range.start, d.code) not in known)
    errors.sort(key=lambda d: d.range.start)
    return Document(text, list(blocks or []), comments, errors)
