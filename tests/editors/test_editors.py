"""Real editors against rubric-lsp: the Neovim plugin headless, and the Emacs (eglot) set-up of docs/editors.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.editors import run_editor_script

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    ("program", "runner", "editor", "install"),
    [
        pytest.param("nvim", "run_nvim_e2e.sh", "Neovim", "neovim", id="neovim"),
        pytest.param(
            "emacs", "run_emacs_e2e.sh", "Emacs", "emacs-nox elpa-eglot", id="emacs-eglot"
        ),
    ],
)
def test_editor_shows_diagnostics_completion_and_hover(
    program: str, runner: str, editor: str, install: str
) -> None:
    """Opens a broken rubric in the editor and checks what the server tells it."""
    if shutil.which(program) is None:
        pytest.skip(
            f"{program} is not installed (apt-get install -y {install}); editors/ci.sh installs it"
        )
    run = run_editor_script(HERE / runner)
    output = run.stdout + run.stderr
    assert run.returncode == 0, (
        f"{editor} end-to-end test failed (exit {run.returncode}):\n{output}"
    )
    assert "0 failed" in run.stdout
