"""The LSP model of a document's text, written from the specification and not from the server.

Lines end at CR LF, LF or a lone CR and at nothing else; columns count UTF-16 code units,
UTF-8 bytes or code points, as agreed at initialize. A column past a line's end means that
end (never a place inside its line break), a line past the last means the end of the
text, and a column inside a character means the place after that character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lsprotocol import types

_BREAK = re.compile(r"\r\n|\r|\n")


def lines(text: str) -> list[str]:
    """The lines of ``text`` without their breaks (a final break opens one more line)."""
    return _BREAK.split(text)


def _units(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8", "surrogatepass"))
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return 1


def line_length(line: str, encoding: str) -> int:
    """A line's length in the client's units."""
    return sum(_units(char, encoding) for char in line)


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The character offset a client position stands for, clamped as described above."""
    starts = [0] + [match.end() for match in _BREAK.finditer(text)]
    split = lines(text)
    if position.line < 0:
        return 0
    if position.line >= len(split):
        return len(text)
    line = split[position.line]
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return starts[position.line] + index
        units += _units(char, encoding)
    return starts[position.line] + len(line)


def apply_change(text: str, change: Any, encoding: str) -> str:
    """``text`` after one didChange content change (whole or ranged) or one TextEdit."""
    if getattr(change, "range", None) is None:
        return str(change.text)
    start = offset(text, change.range.start, encoding)
    end = offset(text, change.range.end, encoding)
    start, end = min(start, end), max(start, end)
    new_text = change.new_text if isinstance(change, types.TextEdit) else change.text
    return text[:start] + new_text + text[end:]


def position_problem(text: str, position: types.Position, encoding: str) -> str | None:
    """Why a position the server sent is not inside the document, or None when it is."""
    split = lines(text)
    if not 0 <= position.line < len(split):
        return f"line {position.line} of {len(split)}"
    line = split[position.line]
    if position.character < 0 or position.character > line_length(line, encoding):
        return f"character {position.character} past the end of line {position.line} ({line!r})"
    units = 0
    for char in line:
        if units == position.character:
            return None
        units += _units(char, encoding)
        if units > position.character:
            return f"character {position.character} inside {char!r} on line {position.line}"
    return None


def ranges_in(value: Any) -> Iterator[types.Range]:
    """Every range inside a response, however deeply nested."""
    if isinstance(value, types.Range):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from ranges_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from ranges_in(item)
    elif hasattr(value, "__attrs_attrs__"):
        for field in value.__attrs_attrs__:
            yield from ranges_in(getattr(value, field.name))


def range_problems(text: str, value: Any, encoding: str) -> list[str]:
    """Every range of a response that does not lie inside ``text``."""
    problems = []
    for rng in ranges_in(value):
        for position in (rng.start, rng.end):
            problem = position_problem(text, position, encoding)
            if problem:
                problems.append(f"{rng}: {problem}")
        if (rng.start.line, rng.start.character) > (rng.end.line, rng.end.character):
            problems.append(f"{rng}: ends before it starts")
    return problems
