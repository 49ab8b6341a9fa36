"""The critics' names, for choosing which ones a test runs."""

from __future__ import annotations

CRITICS = (
    "tests",
    "coverage",
    "pylint",
    "bandit",
    "benchmark",
    "docstrings",
    "error_handling",
    "complexity",
    "naming",
)


def only(*names: str) -> dict[str, bool]:
    """An ``enabled`` mapping that runs just the named critics."""
    unknown = set(names) - set(CRITICS)
    assert not unknown, f"not critics: {sorted(unknown)}"
    return {name: name in names for name in CRITICS}
