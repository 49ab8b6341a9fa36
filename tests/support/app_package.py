"""A small package whose change the on-save tests score: a test, a slow-able benchmark, a rubric."""

from __future__ import annotations

from pathlib import Path

from .gitrepo import init_repo

CORE = '''"""Helpers that run commands."""

import subprocess


def run(command: list[str]) -> str:
    """Run a command and return what it printed."""
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
'''

TEST = """import pathlib

from app.core import run


def test_run():
    pathlib.Path("ran-tests.marker").write_text("the tests ran")
    assert run(["echo", "hi"]).strip() == "hi"
"""

BENCH = """import os, pathlib, time
pathlib.Path("bench.pid").write_text(str(os.getpid()))
time.sleep(float(os.environ.get("BENCH_SECONDS", "0")))
print(0.01)
"""

RUBRIC = """reward_rubric {
  criterion correctness weight=3
  criterion security weight=3
  criterion style weight=2
  criterion performance weight=2
}
checks {
  tests command="python -m pytest -q -p no:cacheprovider tests" timeout=120
  benchmark command="python bench.py" repeat=1 timeout=120
}
score {
  security 5 "no shell commands"
}
accept_if {
  weighted_gte 0.8
}
"""


def make_repo(root: Path) -> Path:
    """A small package with a test, a benchmark and a rubric, committed."""
    files = {
        "app/__init__.py": "",
        "app/core.py": CORE,
        "tests/test_core.py": TEST,
        "bench.py": BENCH,
        "project.rubric": RUBRIC,
        ".gitignore": "*.marker\nbench.pid\n__pycache__/\n",
    }
    return init_repo(root / "project", files)
