"""Syntax errors in words people read, and how the parser resumes after each one."""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from rubric_lsp.language.model import Diagnostic, Position, Range, Severity
from rubric_lsp.language.spans import VALUE_KINDS, empty_token, token_range, token_value
from rubric_lsp.language.vocabulary import BLOCKS, RESERVED

# A file of junk would otherwise produce one error per token.
MAX_SYNTAX_ERRORS = 100
# Errors on a line that already has one are not reported but still cost a recovery each;
# past this many, parsing stops, so a line of ten thousand '}' costs no more than a few.
MAX_RECOVERIES = 10 * MAX_SYNTAX_ERRORS

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

KEYWORD_TERMINALS = {keyword.upper(): keyword for keyword in RESERVED}
BLOCK_TERMINALS = frozenset(keyword.upper() for keyword in BLOCKS)
# Not in the grammar: the parser stops on it and recovery reports the gap.
MISSING_VALUE = "MISSING_VALUE"

# Characters that can start no token at all: skipped as one run per error.
_JUNK_RUN = re.compile(r"[^\sA-Za-z0-9_{}\"#+\-.]+")


def trial_copy(parser: InteractiveParser) -> InteractiveParser:
    """A copy of the parser to try tokens on, sharing nothing the parse may change.

    Lark builds the lists of repeated items (``_block*``, ``rule*``) by appending to the
    children of the tree on the value stack; a trial on a plain copy would append to the
    real parse's lists too, and a block tried once would appear twice.
    """
    trial: InteractiveParser = parser.copy(deepcopy_values=False)  # type: ignore[no-untyped-call]
    stack = trial.parser_state.value_stack
    for place, value in enumerate(stack):
        if isinstance(value, Tree):
            stack[place] = Tree(value.data, list(value.children))
    return trial


def describe_terminals(names: set[str] | frozenset[str]) -> str:
    """Say in words what the parser would have accepted."""
    names = set(names) - {"WS", "COMMENT"}
    if names >= BLOCK_TERMINALS:
        return "a block such as reward_rubric { ... }"
    words = sorted(
        (f"'{KEYWORD_TERMINALS[n]}'" if n in KEYWORD_TERMINALS else _TERMINAL_WORDS.get(n, n))
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


class Recovery:
    """Collects syntax errors and decides how the parser resumes after each one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.errors: list[Diagnostic] = []
        self._lines_with_errors: set[int] = set()
        self.last_stack: list[Any] = []
        self.recoveries = 0

    @property
    def gave_up(self) -> bool:
        """Whether there were too many errors to go on."""
        return len(self.errors) >= MAX_SYNTAX_ERRORS or self.recoveries > MAX_RECOVERIES

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
        self.recoveries += 1
        if self.gave_up:
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
        value_like = token.type in VALUE_KINDS
        if token.type.startswith(MISSING_VALUE):
            token = Token.new_borrow_pos(token.type.split(":", 1)[1], str(token), token)
        kinds: list[str] = [k for k in ("NUMBER", "NAME", "STRING") if k in error.expected]
        plans: list[tuple[str, bool]] = []
        for kind in kinds:
            if value_like and same_line:
                plans.append((kind, True))
        for kind in kinds:
            plans.append((kind, False))
        for planned, replace in plans:
            trial = trial_copy(error.interactive_parser)
            try:
                trial.feed_token(empty_token(planned, token))
                if not replace:
                    trial.feed_token(token)
            except UnexpectedInput:
                continue
            state.value_stack[:] = trial.parser_state.value_stack
            state.state_stack[:] = trial.parser_state.state_stack
            if isinstance(top, Token) and top.type == "ATTR_KEY":
                self.add(token_range(top), f"missing value after '{top.strip()}'")
            else:
                expected = describe_terminals({planned})
                self.add(
                    token_range(token), f"unexpected {_describe_token(token)}; expected {expected}"
                )
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
        trial = trial_copy(error.interactive_parser)
        trial.parser_state.value_stack.pop()
        trial.parser_state.state_stack.pop()
        keyword_type = str(top).upper() if str(top) in BLOCKS else "NAME"
        try:
            trial.feed_token(empty_token("RBRACE", top))
            trial.feed_token(Token.new_borrow_pos(keyword_type, str(top), top))
            trial.feed_token(error.token)
        except UnexpectedInput:
            return False
        state.value_stack[:] = trial.parser_state.value_stack
        state.state_stack[:] = trial.parser_state.state_stack
        self.add(
            token_range(top),
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
                parser.feed_token(empty_token("RBRACE", error.token))
                continue
            kind = next((k for k in ("NUMBER", "NAME", "STRING") if k in accepts), None)
            if kind is None:
                return False
            parser.feed_token(empty_token(kind, error.token))
        return "$END" in parser.accepts()  # type: ignore[no-untyped-call]

    def _unexpected_token(self, error: UnexpectedToken) -> bool:
        token = error.token
        expected = set(error.expected)
        parser = error.interactive_parser
        opened = self._open_block(error)
        closes_block = "RBRACE" in expected and opened is not None
        if token.type == "$END":
            return self._complete_at_end(error, opened)
        rng = token_range(token)
        if token.type == "LBRACE" and opened is not None and self._reopen(error, opened):
            return True
        if closes_block and token.type in BLOCK_TERMINALS | {"LBRACE"}:
            assert opened is not None
            self.add(
                rng,
                f"missing '}}' to close '{opened}' opened on line {opened.line}"
                + (" before this block" if token.type != "LBRACE" else ""),
            )
            if token.type in BLOCK_TERMINALS:
                parser.feed_token(empty_token("RBRACE", token))
                parser.feed_token(token)
            return True
        if self._patch(error):
            return True
        if token.type == "STRING" and not token_value(token).terminated:
            self.add(rng, "unterminated string: add the closing '\"'", "unterminated-string")
            return True
        self.add(
            rng,
            f"unexpected {_describe_token(token)}; expected {describe_terminals(expected)}",
        )
        return True


def _end_range(text: str) -> Range:
    lines = text.split("\n")
    end = Position(len(lines) - 1, len(lines[-1]))
    return Range(end, end)
