"""One version source, and a changelog that names it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import rubric_lsp

ROOT = Path(__file__).parents[2]


def test_the_version_is_the_package_metadatas() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert rubric_lsp.__version__ == declared
    printed = subprocess.run(
        [sys.executable, "-m", "rubric_lsp", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == f"rubric {declared}\n"
    assert f"## [{declared}]" in (ROOT / "CHANGELOG.md").read_text()
