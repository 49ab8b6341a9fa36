"""A project with its own virtualenv: a package only that venv has, and pytest and coverage there.

The venv is made once per test session with ``python -m venv --without-pip``; pytest, coverage
and their dependencies are linked in from the environment running the tests (no network, no
rubric packages), plus ``only_here``, a package no other environment has, and a ``.pth`` that
writes a marker whenever the venv's interpreter starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

from .gitrepo import git, init_repo, write

# What pytest and coverage need to run here (Python 3.11+, so no tomli or exceptiongroup).
TEST_TOOLS = ("pytest", "pluggy", "iniconfig", "packaging", "pygments", "coverage")

ONLY_HERE = '''\
"""A package only the project's venv has."""


def area(width: float, height: float) -> float:
    """A rectangle's area."""
    return width * height
'''

APP_BASE = '''\
"""Rooms."""


def floor(width: float, depth: float) -> float:
    """The floor area of a room."""
    return width * depth
'''

# The change brings in the package only the project's venv has.
APP = '''\
"""Rooms."""

from only_here import area


def floor(width: float, depth: float) -> float:
    """The floor area of a room."""
    return width * depth


def wall(width: float, height: float) -> float:
    """The area of one wall."""
    return area(width, height)
'''

TESTS_BASE = '''\
"""Tests of rooms."""

from rooms import floor


def test_floor():
    """A floor's area."""
    assert floor(2, 3) == 6
'''

TESTS = '''\
"""Tests of rooms."""

from rooms import floor, wall


def test_floor():
    """A floor's area."""
    assert floor(2, 3) == 6


def test_wall():
    """A wall's area."""
    assert wall(2, 5) == 10
'''

RUBRIC = """\
reward_rubric {
  criterion correctness weight=2
  criterion tests weight=1
  criterion style weight=1
}
"""

PYPROJECT = """\
[project]
name = "rooms"
version = "0.1"
"""


def _site_packages(venv: Path) -> Path:
    (found,) = venv.glob("lib/python*/site-packages")
    return found


def _link_distribution(name: str, target: Path) -> None:
    """Link a distribution's top-level files and folders from this environment into ``target``."""
    distribution = metadata.distribution(name)
    here = Path(str(distribution.locate_file("")))
    tops = {Path(str(f)).parts[0] for f in distribution.files or () if not str(f).startswith("..")}
    for top in sorted(tops):
        source = here / top
        if source.exists() and not (target / top).exists() and top != "__pycache__":
            (target / top).symlink_to(source)


def make_venv(folder: Path, tools: bool, marker: Path) -> Path:
    """A virtualenv with ``only_here`` (and pytest and coverage when ``tools``)."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(folder)], check=True)
    packages = _site_packages(folder)
    write(packages, "only_here/__init__.py", ONLY_HERE)
    # Code the environment runs at every start: an untrusted run must never trigger it.
    write(packages, "zz_marker.pth", f"import pathlib; pathlib.Path({str(marker)!r}).touch()\n")
    if tools:
        for name in TEST_TOOLS:
            _link_distribution(name, packages)
    return folder / "bin" / "python"


def venvs(factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session's two venvs, ``full`` and ``no_pytest``, built on first use."""
    root = factory.getbasetemp() / "project-venvs"
    if not (root / "done").exists():
        root.mkdir(exist_ok=True)
        make_venv(root / "full", True, root / "full.marker")
        make_venv(root / "no_pytest", False, root / "no_pytest.marker")
        (root / "done").touch()
    return {"full": root / "full", "no_pytest": root / "no_pytest"}


def marker_of(venv: Path) -> Path:
    """The file the venv's ``.pth`` touches when its interpreter starts."""
    return venv.with_name(venv.name + ".marker")


def project(path: Path, venv: Path | None) -> Path:
    """The committed project with a change to score; ``venv`` linked in as its ``.venv``."""
    init_repo(
        path,
        {
            "rooms.py": APP_BASE,
            "tests/test_rooms.py": TESTS_BASE,
            "rooms.rubric": RUBRIC,
            "pyproject.toml": PYPROJECT,
            ".gitignore": ".venv/\n",
        },
    )
    write(path, "rooms.py", APP)
    write(path, "tests/test_rooms.py", TESTS)
    if venv is not None:
        (path / ".venv").symlink_to(venv, target_is_directory=True)
    return path


def rubric_command() -> list[str]:
    """The ``rubric`` of the environment running the tests (not the project's)."""
    return [str(Path(sysconfig.get_path("scripts")) / "rubric")]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without an active virtualenv, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(extra)
    return env


def git_head(path: Path) -> str:
    """The project's HEAD commit."""
    return git(path, "rev-parse", "HEAD").strip()
