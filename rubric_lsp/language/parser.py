"""Parse .rubric text into the typed model, recovering from syntax errors."""

from __future__ import annotations

import contextlib
import functools
import gc
import re
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, cast

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from rubric_lsp.language.model import (
    BLOCK_KEYWORDS,
    Attribute,
    Block,
    BlockKind,
    CheckConfig,
    Comment,
    Criterion,
    CritiqueEntry,
    Diagnostic,
    Document,
    Entry,
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
    ValueKind,
)

# Past this size a document is not parsed: one diagnostic says so instead.
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024
# A file of junk would otherwise produce one error per token.
MAX_SYNTAX_ERRORS = 100

_VALUE_KINDS: dict[str, ValueKind] = {
    "NUMBER": "number",
    "PERCENT": "percent",
    "NAME": "name",
    "STRING": "string",
    "RANGE": "range",
}

_TERMINAL_WORDS = {
    "NAME": "a name",
    "ATTR_KEY": "an attribute such as weight=5",
    "NUMBER": "a number",
    "PERCENT": "a percentage",
    "STRING": 'a "string"',
    "RANGE": "a range such as 0..5",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "$END": "the end of the file",
}

_KEYWORD_TERMINALS = {keyword.upper(): keyword for keyword in BLOCK_KEYWORDS} | {
    "CRITERION": "criterion",
    "SCALE": "scale",
}
_BLOCK_TERMINALS = {keyword.upper() for keyword in BLOCK_KEYWORDS}
_RESERVED = frozenset(_KEYWORD_TERMINALS.values())
# Not in the grammar: the parser stops on it and recovery reports the gap.
_MISSING_VALUE = "MISSING_VALUE"

# Characters that can start no token at all: skipped as one run per error.
_JUNK_RUN = re.compile(r"[^\sA-Za-z0-9_{}\"#+\-.]+")


def grammar_text() -> str:
    """The grammar, from the installed package or from a source checkout."""
    packaged = resources.files("rubric_lsp").joinpath("grammar/rubric.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "rubric.lark"
    return checkout.read_text(encoding="utf-8")


# tuple.__new__ skips NamedTuple's Python-level constructor: this runs per token.
_new = tuple.__new__


def _range(token: Token) -> Range:
    """The 0-based range of a lark token."""
    return _new(
        Range,
        (
            _new(Position, (token.line - 1, token.column - 1)),  # type: ignore[operator]
            _new(Position, (token.end_line - 1, token.end_column - 1)),  # type: ignore[operator]
        ),
    )


def _name(token: Token) -> Name:
    return _new(Name, (str(token), _range(token)))


def _value(token: Token) -> Value:
    return _new(Value, (_VALUE_KINDS[token.type], str(token), _range(token)))


def _span(first: Token | Entry | Attribute, last: Token | Entry | Attribute) -> Range:
    if isinstance(first, Token):
        start = _new(Position, (first.line - 1, first.column - 1))  # type: ignore[operator]
    else:
        start = first.range.start
    if isinstance(last, Token):
        end = _new(Position, (last.end_line - 1, last.end_column - 1))  # type: ignore[operator]
    else:
        end = last.range.end
    return _new(Range, (start, end))


class _ModelBuilder(Transformer[Token, list[Block]]):
    """Builds model objects as the LALR parser reduces each rule."""

    def start(self, children: list[Block]) -> list[Block]:
        return children

    def attribute(self, children: list[Token]) -> Attribute:
        key_token, value_token = children
        key_text = key_token.rstrip("= \t")
        key_range = _range(key_token)
        key_end = Position(key_range.start.line, key_range.start.character + len(key_text))
        return Attribute(
            Name(key_text, Range(key_range.start, key_end)),
            _value(value_token),
            _span(key_token, value_token),
        )

    def task_field(self, children: list[Token]) -> TaskField:
        key, value = children
        return TaskField(_span(key, value), _name(key), _value(value))

    def criterion(self, children: list[Any]) -> Criterion:
        keyword, name, *attributes = children
        return Criterion(
            _span(keyword, children[-1]), _name(keyword), _name(name), tuple(attributes)
        )

    def scale(self, children: list[Token]) -> Scale:
        keyword, value = children
        return Scale(_span(keyword, value), _name(keyword), _value(value))

    def unknown_field(self, children: list[Any]) -> UnknownField:
        key, *rest = children
        value = _value(rest.pop(0)) if rest and isinstance(rest[0], Token) else None
        return UnknownField(_span(key, children[-1]), _name(key), value, tuple(rest))

    def check_entry(self, children: list[Any]) -> CheckConfig:
        name, *attributes = children
        return CheckConfig(_span(name, children[-1]), _name(name), tuple(attributes))

    def score_entry(self, children: list[Token]) -> ScoreEntry:
        name, points, *comment = children
        return ScoreEntry(
            _span(name, children[-1]),
            _name(name),
            _value(points),
            _value(comment[0]) if comment else None,
        )

    def critique_entry(self, children: list[Token]) -> CritiqueEntry:
        verb, name, *comment = children
        return CritiqueEntry(
            _span(verb, children[-1]),
            _name(verb),
            _name(name),
            _value(comment[0]) if comment else None,
        )

    def rule(self, children: list[Token]) -> Rule:
        keyword, *rest = children
        target = _name(rest.pop(0)) if rest and rest[0].type == "NAME" else None
        return Rule(
            _span(keyword, children[-1]),
            _name(keyword),
            target,
            tuple(_value(token) for token in rest),
        )

    def _make_block(self, kind: BlockKind, children: list[Any]) -> Block:
        keyword, open_brace, *entries, close_brace = children
        return Block(
            kind,
            _name(keyword),
            _span(keyword, close_brace),
            _range(open_brace),
            _range(close_brace),
            tuple(entries),
        )

    def task_block(self, children: list[Any]) -> Block:
        return self._make_block("task", children)

    def rubric_block(self, children: list[Any]) -> Block:
        return self._make_block("reward_rubric", children)

    def checks_block(self, children: list[Any]) -> Block:
        return self._make_block("checks", children)

    def score_block(self, children: list[Any]) -> Block:
        return self._make_block("score", children)

    def rescore_block(self, children: list[Any]) -> Block:
        return self._make_block("rescore", children)

    def critique_block(self, children: list[Any]) -> Block:
        return self._make_block("critique", children)

    def accept_block(self, children: list[Any]) -> Block:
        return self._make_block("accept_if", children)

    def review_block(self, children: list[Any]) -> Block:
        return self._make_block("review_if", children)

    def unknown_block(self, children: list[Token]) -> Block:
        keyword, open_brace, *contents, close_brace = children
        return Block(
            "unknown",
            _name(keyword),
            _span(keyword, close_brace),
            _range(open_brace),
            _range(close_brace),
            (),
            tuple(_value(token) for token in contents),
        )


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


def describe_terminals(names: set[str] | frozenset[str]) -> str:
    """Say in words what the parser would have accepted."""
    names = set(names) - {"WS", "COMMENT"}
    if names >= _BLOCK_TERMINALS:
        return "a block such as reward_rubric { ... }"
    words = sorted(
        (f"'{_KEYWORD_TERMINALS[n]}'" if n in _KEYWORD_TERMINALS else _TERMINAL_WORDS.get(n, n))
        for n in names
    )
    if not words:
        return "nothing more"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"'{text}'"


class _Recovery:
    """Collects syntax errors and decides how the parser resumes after each one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.errors: list[Diagnostic] = []
        self._lines_with_errors: set[int] = set()
        self.last_stack: list[Any] = []

    def add(self, rng: Range, message: str, code: str = "syntax-error") -> None:
        """Record an error, keeping only the first one per line to avoid cascades."""
        if rng.start.line in self._lines_with_errors:
            return
        self._lines_with_errors.add(rng.start.line)
        self.errors.append(Diagnostic(rng, Severity.ERROR, code, message))

    def __call__(self, error: UnexpectedInput) -> bool:
        parser = getattr(error, "interactive_parser", None)
        if parser is not None:
            self.last_stack = parser.parser_state.value_stack
        if len(self.errors) >= MAX_SYNTAX_ERRORS:
            return False
        if isinstance(error, UnexpectedCharacters):
            return self._skip_characters(error)
        if isinstance(error, UnexpectedToken):
            return self._unexpected_token(error)
        return False

    def _skip_characters(self, error: UnexpectedCharacters) -> bool:
        state = error.interactive_parser.lexer_thread.state
        assert state is not None
        start = state.line_ctr.char_pos
        match = _JUNK_RUN.match(self.text, start)
        end = match.end() if match else start + 1
        begin = Position(error.line - 1, error.column - 1)
        bad = self.text[start:end]
        shown = bad if len(bad) <= 10 else bad[:10] + "..."
        if bad.startswith("="):
            message = (
                "unexpected '='; an attribute follows a name, "
                "as in 'criterion correctness weight=5'"
            )
        else:
            expected = describe_terminals(error.allowed or set())
            message = f"unexpected character {shown!r}; expected {expected}"
        width = max(1, len(bad.split("\n")[0]))
        self.add(Range(begin, Position(begin.line, begin.character + width)), message)
        state.line_ctr.feed(self.text[start:end])
        return True

    def _open_block(self, error: UnexpectedToken) -> Token | None:
        """The keyword of the block the parser is inside, if any."""
        for item in reversed(error.interactive_parser.parser_state.value_stack):
            if isinstance(item, Token) and item.type == "LBRACE":
                index = error.interactive_parser.parser_state.value_stack.index(item)
                keyword = error.interactive_parser.parser_state.value_stack[index - 1]
                return keyword if isinstance(keyword, Token) else None
        return None

    def _patch(self, error: UnexpectedToken) -> bool:
        """Repair a missing or wrong value with an empty placeholder token.

        A wrong value on the same line is replaced (``tests x`` reads as a score
        with no number); otherwise a placeholder is inserted before the token
        (``weight=`` at the end of a line). Validation ignores the empty
        placeholders, so only this one syntax error is reported.
        """
        token = error.token
        if token.type == "$END":
            return False
        state = error.interactive_parser.parser_state
        top = state.value_stack[-1] if state.value_stack else None
        same_line = isinstance(top, Token) and top.end_line == token.line
        value_like = token.type in _VALUE_KINDS
        if token.type.startswith(_MISSING_VALUE):
            token = Token.new_borrow_pos(token.type.split(":", 1)[1], str(token), token)
        kinds: list[str] = [k for k in ("NUMBER", "NAME", "STRING") if k in error.expected]
        plans: list[tuple[str, bool]] = []
        for kind in kinds:
            if value_like and same_line:
                plans.append((kind, True))
        for kind in kinds:
            plans.append((kind, False))
        for planned, replace in plans:
            trial = error.interactive_parser.copy(deepcopy_values=False)  # type: ignore[no-untyped-call]
            try:
                trial.feed_token(_placeholder(planned, token))
                if not replace:
                    trial.feed_token(token)
            except UnexpectedInput:
                continue
            state.value_stack[:] = trial.parser_state.value_stack
            state.state_stack[:] = trial.parser_state.state_stack
            if isinstance(top, Token) and top.type == "ATTR_KEY":
                self.add(_range(top), f"missing value after '{top.strip()}'")
            else:
                expected = describe_terminals({planned})
                self.add(_range(token), f"unexpected {_describe_token(token)}; expected {expected}")
            return True
        return False

    def _reopen(self, error: UnexpectedToken, opened: Token) -> bool:
        """Treat ``NAME {`` inside a block as a new block after a missing '}'.

        The name was already shifted as an entry of the open block; un-shift it,
        close the open block, and feed the name again as a block keyword.
        """
        state = error.interactive_parser.parser_state
        top = state.value_stack[-1] if state.value_stack else None
        if not (isinstance(top, Token) and top.type == "NAME"):
            return False
        trial = error.interactive_parser.copy(deepcopy_values=False)  # type: ignore[no-untyped-call]
        trial.parser_state.value_stack.pop()
        trial.parser_state.state_stack.pop()
        keyword_type = str(top).upper() if str(top) in BLOCK_KEYWORDS else "NAME"
        try:
            trial.feed_token(_synthetic_brace(top))
            trial.feed_token(Token.new_borrow_pos(keyword_type, str(top), top))
            trial.feed_token(error.token)
        except UnexpectedInput:
            return False
        state.value_stack[:] = trial.parser_state.value_stack
        state.state_stack[:] = trial.parser_state.state_stack
        self.add(
            _range(top),
            f"missing '}}' to close '{opened}' opened on line {opened.line} before this block",
        )
        return True

    def _complete_at_end(self, error: UnexpectedToken, opened: Token | None) -> bool:
        """The file ends inside a block or entry, as it does while someone types.

        Close what is open (placeholders for missing values, then braces) so every
        block before the end is kept; lark gives one chance at the end of input.
        """
        parser = error.interactive_parser
        expected = set(error.expected)
        rng = _end_range(self.text)
        if "RBRACE" in expected and opened is not None:
            self.add(rng, f"missing '}}' to close '{opened}' opened on line {opened.line}")
        else:
            self.add(rng, f"unexpected end of file; expected {describe_terminals(expected)}")
        for _ in range(4):
            accepts = parser.accepts()  # type: ignore[no-untyped-call]
            if "$END" in accepts:
                return True
            if "RBRACE" in accepts:
                parser.feed_token(_synthetic_brace(error.token))
                continue
            kind = next((k for k in ("NUMBER", "NAME", "STRING") if k in accepts), None)
            if kind is None:
                return False
            parser.feed_token(_placeholder(kind, error.token))
        return "$END" in parser.accepts()  # type: ignore[no-untyped-call]

    def _unexpected_token(self, error: UnexpectedToken) -> bool:
        token = error.token
        expected = set(error.expected)
        parser = error.interactive_parser
        opened = self._open_block(error)
        closes_block = "RBRACE" in expected and opened is not None
        if token.type == "$END":
            return self._complete_at_end(error, opened)
        rng = _range(token)
        if token.type == "LBRACE" and opened is not None and self._reopen(error, opened):
            return True
        if closes_block and token.type in _BLOCK_TERMINALS | {"LBRACE"}:
            assert opened is not None
            self.add(
                rng,
                f"missing '}}' to close '{opened}' opened on line {opened.line}"
                + (" before this block" if token.type != "LBRACE" else ""),
            )
            if token.type in _BLOCK_TERMINALS:
                parser.feed_token(_synthetic_brace(token))
                parser.feed_token(token)
            return True
        if self._patch(error):
            return True
        if token.type == "STRING" and not _value(token).terminated:
            self.add(rng, "unterminated string: add the closing '\"'", "unterminated-string")
            return True
        self.add(
            rng,
            f"unexpected {_describe_token(token)}; expected {describe_terminals(expected)}",
        )
        return True


def _placeholder(kind: str, at: Token) -> Token:
    """An empty token of one kind, standing where a value was missing."""
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
                if token.type == "NAME" and token in _RESERVED:
                    token = Token.new_borrow_pos(str(token).upper(), str(token), token)
                if token.line != previous.end_line:
                    # Marked, not split: a token yielded here and not yet
                    # consumed would be lost when recovery resumes the lexer.
                    token = Token.new_borrow_pos(
                        f"{_MISSING_VALUE}:{token.type}", str(token), token
                    )
            previous = token
            yield token


def _synthetic_brace(at: Token) -> Token:
    """A zero-width '}' standing where the parser needed one."""
    return Token(
        "RBRACE",
        "",
        start_pos=at.start_pos,
        line=at.line,
        column=at.column,
        end_line=at.line,
        end_column=at.column,
        end_pos=at.start_pos,
    )


def _end_range(text: str) -> Range:
    lines = text.split("\n")
    end = Position(len(lines) - 1, len(lines[-1]))
    return Range(end, end)


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
    start = _new(Position, (token.line - 1, token.column - 1))  # type: ignore[operator]
    return Comment(text, Range(start, Position(start.line, start.character + len(text))))


def _unterminated(token: Token) -> Diagnostic:
    text = str(token).rstrip("\r")
    start = _new(Position, (token.line - 1, token.column - 1))  # type: ignore[operator]
    return Diagnostic(
        Range(start, Position(start.line, start.character + len(text))),
        Severity.ERROR,
        "unterminated-string",
        "unterminated string: add the closing '\"' before the end of the line",
    )


def _finished_blocks(stack: list[Any]) -> Iterator[Block]:
    for item in stack:
        if isinstance(item, Block):
            yield item
        elif isinstance(item, list):
            yield from _finished_blocks(item)


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
    recovery = _Recovery(text)
    blocks: list[Block] = []
    _collected.comments, _collected.unterminated = [], []
    try:
        blocks = cast(list[Block], lark_parser().parse(text, on_error=recovery))
    except UnexpectedInput as error:
        # Recovery gave up (too many errors, or nothing left to resume from):
        # keep every block that was complete by then.
        blocks = list(_finished_blocks(recovery.last_stack))
        if len(recovery.errors) >= MAX_SYNTAX_ERRORS:
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
