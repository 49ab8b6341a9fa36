"""The Neovim plugin, end to end: real Neovim, real rubric-lsp, headless."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_nvim_e2e.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None,
    reason="nvim is not installed (apt-get install -y neovim); editors/ci.sh installs it",
)


def _server() -> str:
    """The rubric-lsp next to this interpreter, so the test uses this checkout's install."""
    beside = Path(sys.executable).with_name("rubric-lsp")
    if beside.exists():
        return str(beside)
    found = shutil.which("rubric-lsp")
    assert found, "rubric-lsp is not installed in this environment"
    return found


def test_neovim_shows_diagnostics_completion_and_hover() -> None:
    """Opens a broken rubric in Neovim and checks what the server tells it."""
    env = {**os.environ, "RUBRIC_LSP": _server()}
    run = subprocess.run(
        ["bash", str(RUNNER)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    output = run.stdout + run.stderr
    print(output)
    assert run.returncode == 0, f"Neovim end-to-end test failed (exit {run.returncode}):\n{output}"
    assert "0 failed" in run.stdout
