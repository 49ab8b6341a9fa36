"""Hostile inputs for the parser and the server: mutated seed files and token soup."""

from __future__ import annotations

import random

# Words and punctuation of the language, joined at random into plausible nonsense.
SOUP = [
    "reward_rubric", "score", "{", "}", "criterion", "a", "weight=", "5", '"s"', "0..5",
    "accept_if", "minimum", "total_gte", "check=", "%", "\n", "#c\n", "task", "rescore",
    "critique", "revise", "checks", "enabled=", "😀", "é", '"', "=",
]  # fmt: skip

# Characters that break a valid file in interesting ways: structure, strings, NUL,
# astral and accented letters, a bare carriage return.
INSERTED = '{}"=#\n .%x09-\x00é😀\r'


def mutate(text: str, rng: random.Random) -> str:
    """``text`` with one to eight random deletions, insertions or swaps of characters."""
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        action = rng.choice(("delete", "insert", "swap"))
        index = rng.randrange(len(chars) + 1)
        if action == "delete" and index < len(chars):
            del chars[index]
        elif action == "insert":
            chars.insert(index, rng.choice(INSERTED))
        elif index + 1 < len(chars):
            chars[index], chars[index + 1] = chars[index + 1], chars[index]
    return "".join(chars)
