"""A pylint finding that a rewritten line already had in the base is not the change's.

Renaming a local, adding an annotation or reformatting rewrites a line: the finding on it
(an attribute pylint cannot see, an unused variable) was there before the change.
"""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score

RUBRIC = """reward_rubric {
  criterion style weight=1
}
"""

BASE = '''"""Totals."""


def total(values):
    """The sum of the values."""
    spare = len(values)
    return sum(values)
'''


def _style(tmp_path: Path, new: str) -> tuple[float, list[str]]:
    """The style score and its findings' messages after rewriting app.py as ``new``."""
    repo = init_repo(tmp_path, {"app.py": BASE, "project.rubric": RUBRIC})
    (repo / "app.py").write_text(new)
    criterion = score(repo, use_cache=False).criteria["style"]
    assert criterion.status == "scored", criterion.steps
    assert criterion.score is not None
    return criterion.score, [f.message for f in criterion.findings]


def test_a_finding_the_rewritten_line_already_had_costs_nothing(tmp_path: Path) -> None:
    value, messages = _style(tmp_path, BASE.replace("len(values)", "len(values) + 1"))
    assert messages == []
    assert value == 1.0


def test_a_new_finding_on_a_rewritten_line_still_counts(tmp_path: Path) -> None:
    new = BASE.replace("spare = len(values)", "spare = len(values)\n    extra = 2")
    value, messages = _style(tmp_path, new.replace("len(values)", "len(values) + 1"))
    assert messages == ["Unused variable 'extra'"]
    assert value < 1.0


def test_a_renamed_unused_variable_is_a_new_finding(tmp_path: Path) -> None:
    value, messages = _style(tmp_path, BASE.replace("spare =", "leftover ="))
    assert messages == ["Unused variable 'leftover'"]
    assert value < 1.0
