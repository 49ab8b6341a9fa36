"""Coverage counts lines the tests run in child Python processes (a server, a CLI)."""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score

RUBRIC = """reward_rubric {
  criterion correctness weight=1
  criterion tests weight=1
}
checks {
  tests command="python -m pytest -q tests"
}
"""

TEST = """import subprocess
import sys


def test_tool_in_a_child_process():
    code = "from app.tool import double; print(double(21))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "42"
"""


def test_lines_run_only_in_a_child_process_count_as_covered(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/tool.py": '"""Tools."""\n',
        "tests/test_tool.py": TEST,
        "project.rubric": RUBRIC,
    }
    repo = init_repo(tmp_path / "repo", files)
    (repo / "app" / "tool.py").write_text(
        '"""Tools."""\n\n\ndef double(value):\n    """Twice the value."""\n    return value * 2\n'
    )
    result = score(repo, use_cache=False)
    assert result.criteria["correctness"].score == 1.0
    coverage = result.criteria["tests"]
    assert coverage.score == 1.0, coverage.steps
    assert not list(repo.glob(".coverage*"))  # nothing written into the tree
