"""The pre-commit hooks as a project uses them: a real `pre-commit try-repo` in a fixture repo."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.gitrepo import git, init_repo, write

ROOT = Path(__file__).parents[2]
VALID = "reward_rubric {\n  criterion docs weight=1\n}\n\naccept_if {\n  minimum docs 4\n}\n"
BROKEN = "reward_rubric {\n  criterion docs weight=1\n  criterion docs weight=2\n}\n"


def try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo`` of this repository's hooks on the staged files of ``repo``."""
    env = {
        **os.environ,
        # The hooks run the `rubric` installed beside this interpreter, as pipx would put it.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(home),
        "PRE_COMMIT_COLOR": "never",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with one committed Python module and a rubric that wants docstrings."""
    repo = init_repo(tmp_path / "project", {"app.py": '"""The app."""\n', "app.rubric": VALID})
    return repo


def test_the_hooks_file_declares_the_three_hooks() -> None:
    hooks = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert set(hooks) == {"rubric-check", "rubric-fmt", "rubric-score"}
    assert hooks["rubric-check"]["files"] == hooks["rubric-fmt"]["files"] == r"\.rubric$"
    assert hooks["rubric-score"]["pass_filenames"] is False


def test_rubric_check_fails_on_a_broken_rubric_with_its_error_line(
    project: Path, tmp_path: Path
) -> None:
    write(project, "app.rubric", BROKEN)
    git(project, "add", "app.rubric")
    done = try_repo(project, "rubric-check", tmp_path / "home")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "app.rubric:3:13: error: criterion 'docs' is already defined" in done.stdout


def test_rubric_check_and_fmt_pass_on_a_valid_rubric(project: Path, tmp_path: Path) -> None:
    write(project, "app.rubric", VALID + "\n")
    git(project, "add", "app.rubric")
    checked = try_repo(project, "rubric-check", tmp_path / "home")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "rubric check" in checked.stdout and "Passed" in checked.stdout
    formatted = try_repo(project, "rubric-fmt", tmp_path / "home")
    # The extra blank line is not the canonical layout: fmt rewrites it and the hook fails.
    assert formatted.returncode == 1 and "files were modified by this hook" in formatted.stdout
    assert (project / "app.rubric").read_text() == VALID


def test_rubric_score_fails_a_rejected_change_and_passes_an_accepted_one(
    project: Path, tmp_path: Path
) -> None:
    write(project, "app.py", '"""The app."""\n\n\ndef run(value):\n    return value\n')
    git(project, "add", "app.py")
    rejected = try_repo(project, "rubric-score", tmp_path / "home")
    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert "verdict: rejected" in rejected.stdout
    write(
        project, "app.py", '"""The app."""\n\n\ndef run(value):\n    """Run."""\n    return value\n'
    )
    git(project, "add", "app.py")
    accepted = try_repo(project, "rubric-score", tmp_path / "home")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"rubric score\.+Passed", accepted.stdout), accepted.stdout
