"""The grammar's terminals as one regular expression, for scanning text that may not parse.

The parser needs a whole document; an editor asks about text as it is typed. Both lex with
the same terminals: this module reads them from the parser built from grammar/rubric.lark,
so a terminal changed there changes here too.
"""

from __future__ import annotations

import functools
import re

from lark.lexer import TerminalDef

from rubric_lsp.language.parser import lark_parser


def _lexing_order(terminal: TerminalDef) -> tuple[int, int, int, str]:
    # The order lark's own lexer tries terminals in, so that the first alternative that
    # matches is also the one lark would choose.
    pattern = terminal.pattern
    return (-terminal.priority, -pattern.max_width, -len(pattern.value), terminal.name)


@functools.cache
def token_pattern() -> re.Pattern[str]:
    """Every terminal of the grammar as a named group, then JUNK for any other character."""
    terminals = sorted(lark_parser().terminals, key=_lexing_order)
    name = next(t for t in terminals if t.name == "NAME").pattern.to_regexp()
    whole_name = re.compile(name + r"\Z")
    groups = [
        f"(?P<{t.name}>{t.pattern.to_regexp()})"
        for t in terminals
        # Keywords lex as names: which names are keywords depends on where they stand.
        if not (t.pattern.type == "str" and whole_name.match(t.pattern.value))
    ]
    groups.append("(?P<JUNK>.)")
    return re.compile("|".join(groups), re.DOTALL)


@functools.cache
def name_pattern() -> re.Pattern[str]:
    """The grammar's NAME terminal, matching a whole string."""
    terminal = next(t for t in lark_parser().terminals if t.name == "NAME")
    return re.compile(f"(?:{terminal.pattern.to_regexp()})" + r"\Z")


@functools.cache
def _opens_block() -> re.Pattern[str]:
    name = next(t for t in lark_parser().terminals if t.name == "NAME").pattern.to_regexp()
    return re.compile(rf"[ \t]*(?:{name})[ \t]*\{{")


_RESTART_TRIES = 64


def restart_point(text: str, end: int) -> int:
    """The start of the last line before ``end`` that begins with ``NAME {``."""
    # Scanning may start there instead of at the top: a line start is never inside a
    # string or comment, a value never crosses a line, and ``NAME {`` opens a block in
    # every state, so the state after it does not depend on what came before. This keeps
    # completion and hover time bounded by the block, not the file.
    opens_block = _opens_block()
    brace = text.rfind("{", 0, end)
    for _ in range(_RESTART_TRIES):
        if brace == -1:
            return 0
        # A lone CR ends a line too.
        line_start = max(text.rfind("\n", 0, brace), text.rfind("\r", 0, brace)) + 1
        match = opens_block.match(text, line_start)
        if match is not None and match.end() == brace + 1:
            return line_start
        brace = text.rfind("{", 0, brace)
    return 0
