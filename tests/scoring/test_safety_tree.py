"""A trusted run says which files of the working tree its tests changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.gitrepo import write

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.critic import registry

ONLY_TESTS = {name: name == "tests" for name in registry()}

WRITING_TEST = """from pathlib import Path


def test_writes_into_the_tree():
    Path("written.txt").write_text("by the tests")
    Path("README.md").write_text("rewritten by the tests")
"""


def test_the_cli_warns_and_the_json_names_them(repo: Path) -> None:
    write(repo, "README.md", "calc\n")
    # The test file itself is there before the run: only what the run writes is named.
    write(repo, "tests/test_writes.py", WRITING_TEST)
    argv = [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo)]
    args = ["--only", "tests", "--no-cache", "--format", "json"]
    done = subprocess.run([*argv, *args], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["tree_changed_by_tests"] == ["README.md", "written.txt"]
    assert (
        "rubric score: warning: the tests or benchmark changed 2 file(s) of the working tree: "
        "README.md, written.txt\n"
    ) in done.stderr


def test_untrusted_and_static_runs_name_nothing(repo: Path) -> None:
    write(repo, "tests/test_writes.py", WRITING_TEST)
    untrusted = score(repo, enabled=ONLY_TESTS, use_cache=False, trusted=False)
    assert untrusted.tree_changed_by_tests == ()
    assert not (repo / "written.txt").exists()
    static = score(repo, enabled={"tests": False, "coverage": False, "benchmark": False})
    assert static.to_json()["tree_changed_by_tests"] == []
