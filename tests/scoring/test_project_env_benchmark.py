"""The benchmark runs in the project's interpreter: it imports what only the project's venv has."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.gitrepo import git, write
from support.project_env import clean_env, project, rubric_command, venvs

# Imports a package only the project's venv has, and prints a number the critic compares.
BENCH = "import only_here\nprint(only_here.area(2.0, 3.0))\n"


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session's project venvs."""
    return venvs(tmp_path_factory)


def test_the_benchmark_imports_the_projects_packages(tmp_path: Path, envs: dict[str, Path]) -> None:
    repo = project(tmp_path / "rooms", envs["no_pytest"])
    rubric = (repo / "rooms.rubric").read_text()
    rubric = rubric.replace("}", "  criterion performance\n}", 1)
    rubric += '\nchecks {\n  benchmark command="python bench.py" repeat=3\n}\n'
    write(repo, "rooms.rubric", rubric)
    write(repo, "bench.py", BENCH)
    git(repo, "add", "bench.py", "rooms.rubric")
    git(repo, "commit", "-q", "-m", "a benchmark")
    # The change to score (the project's uncommitted edit) stays; the base has the benchmark.
    done = subprocess.run(
        [*rubric_command(), "score", "--no-cache", "--format", "json", "--only", "benchmark"],
        cwd=repo,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout, done.stderr
    report = json.loads(done.stdout)
    performance = report["criteria"]["performance"]
    assert performance["status"] == "scored", performance["steps"]
    assert performance["score"] == 1.0, performance["steps"]
    # area(2, 3) printed on both sides: only the project's interpreter imports only_here.
    assert performance["comment"].startswith("median 6 vs 6 on the base")
