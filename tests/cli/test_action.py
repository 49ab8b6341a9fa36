"""The composite action's steps, run as the runner runs them, in a fixture pull request."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.gitrepo import git, init_repo
from support.report_change import make_change

ROOT = Path(__file__).parents[2]
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def action() -> dict[str, Any]:
    """action.yml as data."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return loaded


def run_steps(
    repo: Path, inputs: dict[str, str], context: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Every `run` step whose condition holds, with its env expressions filled in as the runner does."""
    declared = action()
    values = {f"inputs.{k}": str(v["default"]) for k, v in declared["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values.update(context)
    done = []
    for step in declared["runs"]["steps"]:
        if "run" not in step:
            continue
        condition = step.get("if", "")
        wanted = re.findall(r"inputs\.([\w-]+) == '(\w+)'", condition)
        if any(values[f"inputs.{name}"] != value for name, value in wanted):
            continue
        if (
            "github.event_name == 'pull_request'" in condition
            and context["github.event_name"] != "pull_request"
        ):
            continue
        env = {
            name: _EXPRESSION.sub(lambda m: values[m[1]], str(text))
            for name, text in step.get("env", {}).items()
        }
        done.append(
            subprocess.run(
                ["bash", "-e", "-c", step["run"]],
                cwd=repo,
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    **env,
                    "GITHUB_OUTPUT": context["output"],
                    "GITHUB_STEP_SUMMARY": context["summary"],
                },
                timeout=600,
            )
        )
        if done[-1].returncode != 0:
            break
    return done


@pytest.fixture(autouse=True)
def rubric_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`rubric` resolves to this checkout's, as a pipx install would put it on PATH."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A clone whose branch `feature` holds the report fixture's change, main as its base."""
    origin = init_repo(tmp_path / "origin")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{origin}", str(clone)], check=True)
    git(clone, "checkout", "-q", "-b", "feature")
    make_change(clone)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "feature")
    return clone


def context(tmp_path: Path) -> dict[str, str]:
    """The runner's context: a pull request against main, and the files it gives each step."""
    (tmp_path / "runner").mkdir()
    for name in ("output", "summary"):
        (tmp_path / name).write_text("")
    return {
        "github.action_path": str(ROOT),
        "github.base_ref": "main",
        "github.event_name": "pull_request",
        "github.token": "",
        "github.event.pull_request.number": "1",
        "runner.temp": str(tmp_path / "runner"),
        "output": str(tmp_path / "output"),
        "summary": str(tmp_path / "summary"),
    }


# The rubric on PATH is this checkout's (installing it again would need the network).
QUICK = {"install": "false", "args": "--only bandit --only pylint --only naming"}


def test_the_steps_report_sarif_annotations_and_a_summary_and_fail_a_rejected_change(
    pull_request: Path, tmp_path: Path
) -> None:
    runner = context(tmp_path)
    steps = run_steps(pull_request, QUICK, runner)
    score = steps[-1]
    assert score.returncode == 1, score.stderr
    assert "::error file=calc/core.py,line=31,col=12" in score.stdout
    outputs = dict(line.split("=", 1) for line in Path(runner["output"]).read_text().splitlines())
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert any(r["ruleId"] == "security/B602" for r in sarif["runs"][0]["results"])
    assert Path(runner["summary"]).read_text().startswith("### rubric score: rejected")
    assert (Path(runner["runner.temp"]) / "rubric.md").read_text().startswith("### rubric score")


def test_exit_zero_reports_without_failing(pull_request: Path, tmp_path: Path) -> None:
    runner = context(tmp_path)
    score = run_steps(pull_request, {**QUICK, "exit-zero": "true"}, runner)[-1]
    assert score.returncode == 0, score.stderr
    assert "exit-code=1" in Path(runner["output"]).read_text()


def test_a_shallow_checkout_fails_with_the_fetch_depth_hint(
    pull_request: Path, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "-b",
            "feature",
            f"file://{pull_request}",
            str(shallow),
        ],
        check=True,
    )
    runner = context(tmp_path)
    score = run_steps(shallow, QUICK, runner)[-1]
    assert score.returncode == 2
    assert "fetch-depth: 0" in score.stderr
