"""The "add a critic" recipe works: its diff gives a package that measures the new check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support.gitrepo import init_repo

from .recipe_support import apply_recipe

RUBRIC = """\
reward_rubric {
  criterion todos weight=1
  criterion tidy weight=1 check=todos
}

checks {
  todos timeout=30
}
"""


ROOT = Path(__file__).resolve().parents[2]


def _rubric(package: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m rubric_lsp.cli ARGS`` run with ``package`` first on the import path."""
    return subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(package)},
        capture_output=True,
        text=True,
        check=False,
    )


def _repository(path: Path) -> Path:
    """A committed module, then a change that adds two TODO comments and one plain comment."""
    files = {
        "app.py": 'def area(w, h):\n    """Area."""\n    return w * h\n',
        "checks.rubric": RUBRIC,
    }
    init_repo(path, files)
    (path / "app.py").write_text(
        'def area(w, h):\n    """Area."""\n    # TODO: negative sizes\n    return w * h\n\n\n'
        'def größe(w):  # TODO größe in cm\n    """Size."""\n    return w  # fine\n'
    )
    return path


def test_the_recipe_adds_a_measured_check(tmp_path: Path) -> None:
    package = apply_recipe("add a critic", tmp_path / "package")
    repo = _repository(tmp_path / "repo")

    checked = _rubric(package, repo, "check", "checks.rubric")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    # Without the recipe the same rubric is rejected: the acceptance above is the recipe's.
    before = _rubric(ROOT, repo, "check", "checks.rubric")
    assert before.returncode == 1 and "unknown-check" in before.stdout + before.stderr

    scored = _rubric(package, repo, "score", "--format", "json")
    assert scored.returncode == 0, scored.stderr
    criteria = json.loads(scored.stdout)["criteria"]
    for name in ("todos", "tidy"):
        criterion = criteria[name]
        assert (criterion["check"], criterion["status"], criterion["source"]) == (
            "todos",
            "scored",
            "measured",
        )
        assert criterion["score"] == 0.8
        assert [(f["line"], f["column"], f["code"]) for f in criterion["findings"]] == [
            (3, 4, "todo"),
            (7, 15, "todo"),
        ]
