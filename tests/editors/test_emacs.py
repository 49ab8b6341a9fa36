"""The Emacs (eglot) set-up of docs/editors.md, run in real Emacs against rubric-lsp."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_emacs_e2e.sh"

pytestmark = pytest.mark.skipif(
    shutil.which("emacs") is None,
    reason="emacs is not installed (apt-get install -y emacs-nox elpa-eglot); editors/ci.sh installs it",
)


def test_eglot_shows_diagnostics_completion_and_hover() -> None:
    """Evaluates the docs' snippet, opens a broken rubric and checks what eglot gets."""
    beside = Path(sys.executable).with_name("rubric-lsp")
    env = {**os.environ}
    if beside.exists():
        env["RUBRIC_LSP"] = str(beside)
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
    assert run.returncode == 0, f"Emacs end-to-end test failed (exit {run.returncode}):\n{output}"
    assert "0 failed" in run.stdout
