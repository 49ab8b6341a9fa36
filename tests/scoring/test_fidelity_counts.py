"""Findings are counted: clean lines cannot dilute them, and no count leaves a score nothing to lose."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from support.critics import only
from support.gitrepo import edit, init_repo

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.critics import complexity
from rubric_lsp.scoring.critics.pylint import pylint_score
from rubric_lsp.scoring.critics.short_names import CODE

RUBRIC = (
    "reward_rubric {\n  criterion style weight=1\n  criterion naming weight=1\n"
    "  criterion readability weight=1\n}\n"
)
MODULE = '"""Tools."""\n\n\ndef double(value):\n    """Twice the value."""\n    return 2 * value\n'
# Ten clean statements: what a change could add only to spread its findings thinner.
PADDING = "    step_0 = a\n" + "".join(f"    step_{n} = step_{n - 1} + 1\n" for n in range(1, 10))
PADDED_RETURN = "    return 2 * step_9\n"


def _warning(line: int) -> Finding:
    return Finding("m.py", line, 0, "W0612", "Unused variable", "warning", penalty=1.0)


def test_every_further_finding_lowers_the_style_score() -> None:
    scores = [pylint_score([_warning(n) for n in range(count)]) for count in range(30)]
    assert scores[0] == 1.0
    assert all(later < earlier for earlier, later in itertools.pairwise(scores))
    assert scores[-1] > 0


def _criteria(repo: Path, padded: bool) -> dict[str, float | None]:
    # An unused variable (a style finding) and a one-letter name (a naming finding).
    body = "    unused = 1\n    a = value\n"
    body += PADDING + PADDED_RETURN if padded else "    return 2 * a\n"
    edit(repo, "pkg/tools.py", "    return 2 * value\n", body)
    result = score(repo, enabled=only("pylint", "naming"), use_cache=False)
    return {name: c.score for name, c in result.criteria.items() if name in ("style", "naming")}


@pytest.mark.parametrize("criterion", ["style", "naming"])
def test_clean_statements_do_not_dilute_findings(tmp_path: Path, criterion: str) -> None:
    """An unused variable (style) and a one-letter name (naming) cost as much padded as not."""
    files = {"app.rubric": RUBRIC, "pkg/tools.py": MODULE}
    alone = _criteria(init_repo(tmp_path / "alone", files), padded=False)
    padded = _criteria(init_repo(tmp_path / "padded", files), padded=True)
    assert alone[criterion] is not None and alone[criterion] < 1.0, alone
    assert padded[criterion] == pytest.approx(alone[criterion]), (alone, padded)


def test_naming_never_bottoms_out(tmp_path: Path) -> None:
    """Once bad names outnumber the changed statements, one more still costs naming."""
    repo = init_repo(tmp_path / "names", {"app.rubric": RUBRIC, "pkg/tools.py": MODULE})
    edit(repo, "pkg/tools.py", "def double(value):", "def double(value, b=0, c=0, d=0):")
    before = score(repo, enabled=only("naming"), use_cache=False).criteria["naming"]
    edit(repo, "pkg/tools.py", "d=0):", "d=0, f=0):")
    after = score(repo, enabled=only("naming"), use_cache=False).criteria["naming"]
    assert [f.code for f in after.findings].count(CODE) == 4, after.steps
    assert before.score is not None and after.score is not None
    assert 0 < after.score < before.score, (before.steps, after.steps)


def _branches(paths: int) -> str:
    body = "".join(f"    elif value < {n}:\n        return {n}\n" for n in range(2, paths))
    return f"def grade(value):\n    if value < 1:\n        return 1\n{body}    return 0\n"


def test_a_fix_inside_a_complex_function_costs_no_readability(tmp_path: Path) -> None:
    """A function of complexity 13 in the base: a one-line fix adds nothing to what it owed."""
    repo = init_repo(tmp_path / "fix", {"app.rubric": RUBRIC, "pkg/grades.py": _branches(13)})
    edit(repo, "pkg/grades.py", "    elif value < 7:", "    elif value <= 7:")
    readability = score(repo, enabled=only("complexity"), use_cache=False).criteria["readability"]
    assert readability.score == 1.0, readability.steps
    # One more branch is the change's own: above 10 (0.1) and gained past 5 (0.05).
    assert complexity.penalty(14, 13) == pytest.approx(0.15)
    assert complexity.penalty(13, None) == pytest.approx(0.3)
