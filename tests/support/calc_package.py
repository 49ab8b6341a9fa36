"""A small real package with tests and a benchmark: the scoring tests' fixture repository."""

from __future__ import annotations

PYPROJECT = """\
[project]
name = "calc"
version = "0.1"

[tool.pylint."messages control"]
# Docstrings are the docstrings critic's business; pylint would count them twice.
disable = ["missing-module-docstring", "missing-class-docstring", "missing-function-docstring"]
"""

CORE = '''\
"""Arithmetic and parsing helpers."""

import subprocess


class ConfigError(ValueError):
    """A configuration value is invalid."""


def parse_port(text):
    """Parse a TCP port number."""
    try:
        port = int(text)
    except ValueError as error:
        raise ConfigError(f"not a port: {text}") from error
    if not 0 < port < 65536:
        raise ConfigError(f"port out of range: {port}")
    return port


def total(values):
    """Sum the values."""
    result = 0
    for value in values:
        result += value
    return result


def list_dir(path):
    """List a directory with ls."""
    done = subprocess.run(["ls", path], check=True, capture_output=True, text=True)
    return done.stdout.split()
'''

TESTS = """\
import pytest

from calc.core import ConfigError, list_dir, parse_port, total


def test_parse_port():
    assert parse_port("80") == 80


def test_parse_port_range():
    with pytest.raises(ConfigError):
        parse_port("70000")


def test_total():
    assert total([1, 2, 3]) == 6


def test_list_dir(tmp_path):
    (tmp_path / "a").write_text("x")
    assert list_dir(str(tmp_path)) == ["a"]
"""

BENCH = '''\
"""Time total() on a fixed input; print the seconds on the last line."""

import time

from calc.core import total

VALUES = list(range(20000))
start = time.perf_counter()
for _ in range(10):
    total(VALUES)
print(time.perf_counter() - start)
'''

RUBRIC = """\
reward_rubric {
  criterion correctness weight=2
  criterion tests weight=1
  criterion style weight=1
  criterion security weight=2
  criterion performance weight=1
  criterion docs weight=1
  criterion error_handling weight=2
  criterion readability weight=1
  criterion naming weight=1
}

checks {
  benchmark command="python bench.py" repeat=3
}

accept_if {
  weighted_gte 0.8
  minimum correctness 4
}
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "calc/__init__.py": '"""A small calculator package."""\n',
    "calc/core.py": CORE,
    "tests/test_core.py": TESTS,
    "bench.py": BENCH,
    "calc.rubric": RUBRIC,
    ".gitignore": "__pycache__/\n",
}
