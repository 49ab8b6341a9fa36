"""Line mapping through a diff, checked on random edits against difflib's own diff."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from rubric_lsp.scoring.diff import parse_diff

LINES = st.lists(st.sampled_from(["a", "b", "c", "d", "pass", ""]), min_size=0, max_size=40)
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(["x", "y", "z = 1"]),
)


def apply(lines: list[str], edits: list[tuple[str, int, str]]) -> list[str]:
    """Apply simple line edits at positions taken modulo the current length."""
    out = list(lines)
    for kind, where, text in edits:
        index = where % (len(out) + 1)
        if kind == "insert":
            out.insert(index, text)
        elif out:
            index = min(index, len(out) - 1)
            if kind == "delete":
                del out[index]
            else:
                out[index] = text
    return out


@settings(max_examples=200, deadline=None)
@given(LINES, st.lists(EDIT, min_size=1, max_size=6), st.integers(min_value=0, max_value=3))
def test_unchanged_lines_map_to_identical_base_lines(
    base: list[str], edits: list[tuple[str, int, str]], context: int
) -> None:
    new = apply(base, edits)
    text = "".join(
        line if line.endswith("\n") else line + "\n"
        for line in difflib.unified_diff(
            [line + "\n" for line in base],
            [line + "\n" for line in new],
            "a/f.py",
            "b/f.py",
            n=context,
        )
    )
    if not text:
        return
    (changed,) = parse_diff(text)
    for number, line in enumerate(new, 1):
        mapped = changed.base_line(number)
        if number in changed.added:
            assert mapped is None
        else:
            assert mapped is not None and base[mapped - 1] == line
    # The added lines are exactly the new side of difflib's non-equal opcodes.
    matcher = difflib.SequenceMatcher(None, [b + "\n" for b in base], [n + "\n" for n in new])
    inserted = {
        number + 1
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
        for number in range(j1, j2)
    }
    assert changed.added == inserted
