"""Finding the project's interpreter reads files only, in a fixed order of rules."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from pathlib import Path

import pytest

from rubric_lsp.scoring.critics.tests import SuiteRun, command_argv, score_run
from rubric_lsp.scoring.interpreter import (
    OWN,
    ProjectPython,
    find_python,
    own_python,
    search_path,
    site_packages,
)
from rubric_lsp.scoring.proc import ScoringError


def fake_env(folder: Path, version: str = "3.12") -> Path:
    """A folder shaped like a virtualenv; its python is an empty file, never run."""
    (folder / "bin").mkdir(parents=True)
    python = folder / "bin" / "python"
    python.write_text("")
    (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}.1\n")
    (folder / "lib" / f"python{version}" / "site-packages").mkdir(parents=True)
    return python


def test_the_rules_apply_in_order(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    active = fake_env(tmp_path / "active")
    dot_venv = fake_env(root / ".venv")
    fake_env(root / "venv")
    named = fake_env(root / "envs" / "tests")
    env = {"VIRTUAL_ENV": str(tmp_path / "active")}
    chosen = find_python(root, str(named), ".venv/bin/python -m pytest", env)
    assert chosen == ProjectPython(str(named), "--python")
    assert find_python(root, "", "envs/tests/bin/pytest -q", env).executable == str(named)
    assert find_python(root, "", "python -m pytest", env) == ProjectPython(
        str(active), "VIRTUAL_ENV"
    )
    assert find_python(root, "", None, {}) == ProjectPython(
        str(dot_venv), ".venv/ at the repository root"
    )
    (root / ".venv" / "bin" / "python").unlink()
    assert find_python(root, "", None, {}).found_by == "venv/ at the repository root"
    with pytest.raises(ScoringError, match="--python nowhere: no such interpreter"):
        find_python(root, "nowhere", None, {})


def test_without_an_environment_rubrics_own_runs_and_says_so(tmp_path: Path) -> None:
    found = find_python(tmp_path, "", None, {})
    assert found.found_by == OWN and os.path.samefile(found.executable, sys.executable)
    assert "no project environment found" in found.describe()


def test_rubrics_own_is_named_alike_however_it_was_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ray's workers start as python3, the CLI often as python: one report, one name.
    (tmp_path / "python3").symlink_to(sys.executable)
    (tmp_path / "python").symlink_to("python3")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "python3").symlink_to(sys.executable)
    (tmp_path / "other" / "python").write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    assert own_python().executable == str(tmp_path / "python")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert own_python().executable == str(tmp_path / "python")
    # A different program called python is not taken for this one.
    monkeypatch.setattr(sys, "executable", str(tmp_path / "other" / "python3"))
    assert own_python().executable == str(tmp_path / "other" / "python3")


def test_tool_environments_are_found_from_their_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    # poetry: its cache names the environment after the project and its folder's hash.
    (root / "pyproject.toml").write_text('[tool.poetry]\nname = "Rooms App"\n')
    where = os.path.normcase(os.path.realpath(root))
    digest = base64.urlsafe_b64encode(hashlib.sha256(where.encode()).digest()).decode()[:8]
    store = tmp_path / "poetry"
    poetry = fake_env(store / f"rooms_app-{digest}-py3.12")
    found = find_python(root, "", None, {"POETRY_VIRTUALENVS_PATH": str(store)})
    assert found == ProjectPython(str(poetry), "the poetry environment")
    # pdm records its interpreter in .pdm-python.
    (root / "pyproject.toml").write_text('[project]\nname = "rooms"\n')
    pdm = fake_env(tmp_path / "pdm-env")
    (root / ".pdm-python").write_text(f"{pdm}\n")
    assert find_python(root, "", None, {}) == ProjectPython(str(pdm), "the pdm environment")
    (root / ".pdm-python").unlink()
    # hatch: a default environment with a path of its own.
    (root / "hatch.toml").write_text('[envs.default]\npath = "envs/dev"\n')
    hatch = fake_env(root / "envs" / "dev")
    assert find_python(root, "", None, {}) == ProjectPython(str(hatch), "the hatch environment")
    # uv: UV_PROJECT_ENVIRONMENT moves the project's environment.
    (root / "uv.lock").write_text("")
    uv = fake_env(tmp_path / "uv-env")
    found = find_python(root, "", None, {"UV_PROJECT_ENVIRONMENT": str(tmp_path / "uv-env")})
    assert found == ProjectPython(str(uv), "the uv environment")


def test_untrusted_search_path_comes_from_the_layout(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "src" / "rooms").mkdir(parents=True)
    python = fake_env(root / ".venv")
    packages = root / ".venv" / "lib" / "python3.12" / "site-packages"
    editable = tmp_path / "elsewhere"
    editable.mkdir()
    (packages / "plain.pth").write_text(f"{editable}\nimport os; os.system('touch x')\n")
    assert site_packages(root / ".venv") == [str(packages), str(editable)]
    found = search_path(ProjectPython(str(python), ".venv"), root, None)
    assert found == (str(root), str(root / "src"), str(packages), str(editable))


def test_a_missing_test_runner_is_an_error_not_a_zero() -> None:
    run = SuiteRun(
        ["/p/bin/python", "-m", "pytest"],
        1,
        0.1,
        True,
        None,
        None,
        "/p/bin/python: No module named pytest",
    )
    result = score_run(run, "python -m pytest")
    assert result.status == "error" and result.score is None
    assert "pytest is not installed in /p/bin/python" in result.summary


def test_a_python_c_command_runs_as_a_script_under_coverage(tmp_path: Path) -> None:
    script = tmp_path / "command.py"
    argv, measured = command_argv(
        "python -c 'print(1)' x", tmp_path / "j.xml", tmp_path / "d", [], "/p/python", script
    )
    assert measured and argv[:4] == ["/p/python", "-m", "coverage", "run"]
    assert argv[-2:] == [str(script), "x"]
    assert script.read_text().endswith("print(1)")
    assert "-c" not in argv
