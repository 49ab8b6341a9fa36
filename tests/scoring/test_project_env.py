"""A project scored in its own virtualenv by a rubric installed elsewhere."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.gitrepo import write
from support.project_env import clean_env, marker_of, project, rubric_command, venvs


@pytest.fixture
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session's project venvs (``full`` has pytest and coverage, ``no_pytest`` not)."""
    return venvs(tmp_path_factory)


def score(
    repo: Path, *args: str, **env: str
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """``rubric score --format json`` in the repository, with no virtualenv active."""
    done = subprocess.run(
        [*rubric_command(), "score", "--no-cache", "--format", "json", *args],
        cwd=repo,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    # 2 with a report: a rule read a criterion that could not be measured (undecided).
    assert done.returncode in (0, 1, 2) and done.stdout, done.stderr
    return json.loads(done.stdout), done


def codes(report: dict[str, Any], criterion: str) -> set[str]:
    """The finding codes of one criterion."""
    return {f["code"] for f in report["criteria"][criterion]["findings"]}


def assert_scored_in_project(report: dict[str, Any]) -> None:
    """Tests pass, coverage is measured, pylint resolves the project's imports."""
    criteria = report["criteria"]
    assert criteria["correctness"]["status"] == "scored", criteria["correctness"]["steps"]
    assert criteria["correctness"]["score"] == 1.0, criteria["correctness"]["steps"]
    assert criteria["tests"]["status"] == "scored", criteria["tests"]["steps"]
    assert criteria["tests"]["score"] == 1.0, criteria["tests"]["steps"]
    assert "E0401" not in codes(report, "style"), criteria["style"]["steps"]


def test_a_venv_at_the_root_runs_the_tests_and_feeds_pylint(
    tmp_path: Path, envs: dict[str, Path]
) -> None:
    repo = project(tmp_path / "rooms", envs["full"])
    report, _ = score(repo)
    assert_scored_in_project(report)
    assert report["python"] == {
        "executable": str(repo / ".venv" / "bin" / "python"),
        "found_by": ".venv/ at the repository root",
        "note": "",
    }
    text = subprocess.run(
        [*rubric_command(), "score", "--no-cache", "--only", "pylint"],
        cwd=repo,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"python: {repo / '.venv' / 'bin' / 'python'} (.venv/ at the repository root)" in text


def test_an_active_virtualenv_is_the_projects_interpreter(
    tmp_path: Path, envs: dict[str, Path]
) -> None:
    repo = project(tmp_path / "rooms", None)
    report, _ = score(repo, VIRTUAL_ENV=str(envs["full"]))
    assert_scored_in_project(report)
    assert report["python"]["executable"] == str(envs["full"] / "bin" / "python")
    assert report["python"]["found_by"] == "VIRTUAL_ENV"


def test_the_python_option_and_a_tests_command_name_the_interpreter(
    tmp_path: Path, envs: dict[str, Path]
) -> None:
    repo = project(tmp_path / "rooms", None)
    chosen = str(envs["full"] / "bin" / "python")
    report, _ = score(repo, "--python", chosen, VIRTUAL_ENV=str(envs["no_pytest"]))
    assert_scored_in_project(report)
    assert report["python"]["found_by"] == "--python"
    write(
        repo,
        "rooms.rubric",
        (repo / "rooms.rubric").read_text()
        + (f'\nchecks {{\n  tests command="{chosen} -m pytest -q"\n}}\n'),
    )
    report, _ = score(repo, VIRTUAL_ENV=str(envs["no_pytest"]))
    assert_scored_in_project(report)
    assert report["python"] == {
        "executable": chosen,
        "found_by": "the tests command",
        "note": "",
    }


def test_untrusted_pylint_sees_the_venv_and_nothing_of_it_runs(
    tmp_path: Path, envs: dict[str, Path]
) -> None:
    repo = project(tmp_path / "rooms", envs["full"])
    marker = marker_of(envs["full"])
    marker.unlink(missing_ok=True)
    report, _ = score(repo, "--untrusted")
    assert report["criteria"]["style"]["status"] == "scored"
    assert "E0401" not in codes(report, "style"), report["criteria"]["style"]["steps"]
    assert report["criteria"]["style"]["score"] == 1.0
    assert report["python"]["executable"] == str(repo / ".venv" / "bin" / "python")
    assert not marker.exists(), "an untrusted run started the workspace's interpreter"
    # The marker works: the venv's interpreter writes it whenever it starts.
    subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c", "pass"], check=True)
    assert marker.exists()


def test_without_pytest_in_the_venv_correctness_is_an_error_naming_it(
    tmp_path: Path, envs: dict[str, Path]
) -> None:
    repo = project(tmp_path / "rooms", envs["no_pytest"])
    write(
        repo,
        "rooms.rubric",
        (repo / "rooms.rubric").read_text()
        + ("\naccept_if {\n  weighted_gte 0.5\n  minimum correctness 1\n}\n"),
    )
    report, done = score(repo)
    correctness = report["criteria"]["correctness"]
    assert correctness["status"] == "error", correctness["steps"]
    assert correctness["score"] is None
    python = str(repo / ".venv" / "bin" / "python")
    assert "pytest is not installed in " + python in correctness["comment"]
    assert report["criteria"]["tests"]["status"] == "error"
    # An error is not a score: the rules that read it are undecided, neither passed nor
    # failed, and the verdict says so (exit 2) instead of accepting or rejecting the change.
    assert report["criteria"]["style"]["status"] == "scored"
    assert report["verdict"] == "undecided" and report["accepted"] is None
    assert report["failed_rules"] == []
    assert report["undecided_rules"] == ["weighted_gte 0.5", "minimum correctness 1"]
    assert [rule["passed"] for rule in report["rules"]] == [None, None]
    assert "correctness is error: pytest is not installed in " in report["rules"][1]["detail"]
    assert done.returncode == 2
    text = subprocess.run(
        [*rubric_command(), "score", "--no-cache"],
        cwd=repo,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert text.returncode == 2, text.stderr
    assert "  UNDECIDED  minimum correctness 1  (correctness is error: pytest" in text.stdout
    assert "verdict: undecided (weighted_gte 0.5: correctness is error: " in text.stdout
