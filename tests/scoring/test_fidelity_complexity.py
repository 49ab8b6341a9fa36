"""Readability cannot be diluted by padding, and methods count once under their class's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.critics import only
from support.gitrepo import edit, git, init_repo, write

from rubric_lsp.scoring.api import score

RUBRIC = "reward_rubric {\n  criterion readability weight=1\n}\n"


def branches(name: str, paths: int) -> str:
    """A function of ``paths`` paths (an if and elifs): cyclomatic complexity ``paths``."""
    body = "".join(f"    elif value < {n}:\n        return {n}\n" for n in range(2, paths))
    return f"def {name}(value):\n    if value < 1:\n        return 1\n{body}    return 0\n\n\n"


def _readability(repo: Path) -> float:
    result = score(repo, enabled=only("complexity"), use_cache=False)
    value = result.criteria["readability"].score
    assert value is not None, result.criteria["readability"].steps
    return value


def test_padding_with_simple_functions_does_not_raise_readability(tmp_path: Path) -> None:
    """One function of complexity 15 costs the same with nine trivial ones beside it."""
    repo = init_repo(tmp_path / "pad", {"app.rubric": RUBRIC, "pkg/core.py": '"""Core."""\n'})
    write(repo, "pkg/core.py", '"""Core."""\n\n\n' + branches("classify", 15))
    alone = _readability(repo)
    padding = "".join(f"def helper_{n}():\n    return {n}\n\n\n" for n in range(9))
    write(repo, "pkg/core.py", '"""Core."""\n\n\n' + branches("classify", 15) + padding)
    tests = "".join(f"def test_{n}():\n    assert {n} == {n}\n\n\n" for n in range(9))
    write(repo, "tests/test_core.py", tests)
    assert alone == pytest.approx(0.5)
    assert _readability(repo) == alone


def test_deleting_tests_does_not_move_readability(tmp_path: Path) -> None:
    """Test functions belong to the tests criterion: readability ignores them."""
    repo = init_repo(
        tmp_path / "tests-only",
        {"app.rubric": RUBRIC, "tests/test_core.py": branches("test_many", 15)},
    )
    write(repo, "tests/test_core.py", branches("test_many", 16))
    result = score(repo, enabled=only("complexity"), use_cache=False)
    assert result.criteria["readability"].score == 1.0
    assert result.criteria["readability"].findings == ()


def test_methods_are_keyed_by_class_and_counted_once(tmp_path: Path) -> None:
    """One branch added to A.run: one changed function, compared with A.run's base."""
    a_run = branches("run", 11).replace("\n    ", "\n        ").replace("def run", "    def run")
    b_run = branches("run", 14).replace("\n    ", "\n        ").replace("def run", "    def run")
    source = f"class A:\n{a_run.replace('(value)', '(self, value)')}"
    source += f"class B:\n{b_run.replace('(value)', '(self, value)')}"
    repo = init_repo(tmp_path / "methods", {"app.rubric": RUBRIC, "pkg/jobs.py": source})
    edit(
        repo,
        "pkg/jobs.py",
        "        return 0\n",
        "        if value > 99:\n            return 99\n        return 0\n",
    )
    assert "A" in git(repo, "diff")
    result = score(repo, enabled=only("complexity"), use_cache=False)
    readability = result.criteria["readability"]
    assert [f.message for f in readability.findings] == [
        "A.run has cyclomatic complexity 12 (was 11)"
    ]
    # One point above 10 the change added (0.1; the base's 11 was already there) and grown by
    # 1 past 11 (0.05).
    assert readability.score == pytest.approx(0.85)
