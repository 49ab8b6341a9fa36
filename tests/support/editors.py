"""Running an editor's end-to-end script against this checkout's rubric-lsp."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def installed_server() -> str:
    """The rubric-lsp next to this interpreter, so the test uses this checkout's install."""
    beside = Path(sys.executable).with_name("rubric-lsp")
    if beside.exists():
        return str(beside)
    found = shutil.which("rubric-lsp")
    assert found, "rubric-lsp is not installed in this environment"
    return found


def run_editor_script(runner: Path) -> subprocess.CompletedProcess[str]:
    """Run an editor's shell runner with RUBRIC_LSP set; its output is printed for the log."""
    run = subprocess.run(
        ["bash", str(runner)],
        env={**os.environ, "RUBRIC_LSP": installed_server()},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    print(run.stdout + run.stderr)
    return run
