"""A test command that cannot run says why, in one line."""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score


def test_pytest_usage_error_names_the_cause(tmp_path: Path) -> None:
    files = {
        "tests/test_x.py": "def test_x():\n    assert True\n",
        "r.rubric": "reward_rubric {\n  criterion correctness weight=1\n}\n"
        'checks { tests command="python -m pytest -q --no-such-option tests" }\n',
    }
    repo = init_repo(tmp_path / "repo", files)
    (repo / "tests" / "test_x.py").write_text("def test_x():\n    assert 1\n")
    correctness = score(repo, use_cache=False).criteria["correctness"]
    assert correctness.status == "error"
    assert correctness.comment.endswith("error: unrecognized arguments: --no-such-option")
