"""A test command that cannot run says why, in one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from rubric_lsp.scoring.api import score


def test_pytest_usage_error_names_the_cause(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_x.py").write_text("def test_x():\n    assert True\n")
    (repo / "r.rubric").write_text(
        "reward_rubric {\n  criterion correctness weight=1\n}\n"
        'checks { tests command="python -m pytest -q --no-such-option tests" }\n'
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )
    (repo / "tests" / "test_x.py").write_text("def test_x():\n    assert 1\n")
    correctness = score(repo, use_cache=False).criteria["correctness"]
    assert correctness.status == "error"
    assert correctness.comment.endswith("error: unrecognized arguments: --no-such-option")
