"""A change with a finding of every kind the reports show: the report tests' fixture."""

from __future__ import annotations

from pathlib import Path

from .gitrepo import edit, write

# Both `naming` and a pylint-checked `architecture`, as the default rubric has: a naming
# message id may reach two criteria, and no report may show it twice.
RUBRIC = """\
reward_rubric {
  criterion correctness weight=2
  criterion tests weight=1
  criterion security weight=2
  criterion naming weight=1
  criterion architecture weight=1 check=pylint
  criterion docs weight=1
}

accept_if {
  weighted_gte 0.8
  minimum correctness 4
}
"""

# Text a change controls reaches the reports through test ids and assertion messages.
HOSTILE_TESTS = """\
import pytest


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>"])
def test_html(name):
    assert name == "</details><script>x</script>"


def test_markup():
    assert "calc/__init__.py" == "**bold** [link](http://x.invalid) `code` | [/] \\x1b[31mred"
"""

# Lines no test runs (coverage findings, several in one file) and a name pylint rejects,
# after a non-ASCII string so that characters and UTF-8 bytes differ on its line.
INIT = '''\
"""A small calculator package."""


def unused_helper(value):
    """Not called by any test."""
    if value:
        return value * 2
    return -value


BadName = "ü"; Другое = 1
'''


def make_change(repo: Path) -> None:
    """Turn a copy of the calc fixture into the change the report tests score."""
    write(repo, "calc.rubric", RUBRIC)
    write(repo, "calc/__init__.py", INIT)
    write(repo, "tests/test_hostile.py", HOSTILE_TESTS)
    edit(
        repo,
        "calc/core.py",
        'subprocess.run(["ls", path]',
        'subprocess.run(f"ls {path}", shell=True',
    )
