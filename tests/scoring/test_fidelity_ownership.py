"""One owner per finding, and one-letter names that cost naming."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from support.critics import only
from support.gitrepo import edit, init_repo

from rubric_lsp.language.catalogue import claimed_codes
from rubric_lsp.language.parser import parse
from rubric_lsp.scoring import engine
from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.critic import registry
from rubric_lsp.scoring.rubricfile import DEFAULT_RUBRIC

CRITICS = registry()


def overlapping_codes(checks: list[str], with_claims: bool = True) -> dict[str, set[str]]:
    """Concrete codes that cost more than one of the running checks."""
    owners = claimed_codes(checks) if with_claims else {}
    concrete = {
        code
        for name in CRITICS
        for code in (*CRITICS[name].codes, *claimed_codes([name]))
        if not any(mark in code for mark in "[*?")
    }
    costs: dict[str, set[str]] = {}
    for code in concrete:
        for name in checks:
            owned = any(fnmatchcase(code, pattern) for pattern in CRITICS[name].codes)
            owned = owned or code in claimed_codes([name])
            if owned and owners.get(code, name) == name:
                costs.setdefault(code, set()).add(name)
    return {code: names for code, names in costs.items() if len(names) > 1}


def test_the_default_rubric_binds_no_two_criteria_to_one_code() -> None:
    checks = list(engine.plan(parse(DEFAULT_RUBRIC), {}, CRITICS))
    assert {"pylint", "naming", "docstrings"} <= set(checks)
    # Without owners, pylint's C0103 would cost architecture and naming, C0116 docs too.
    assert {"C0103", "C0116"} <= set(overlapping_codes(checks, with_claims=False))
    assert overlapping_codes(checks) == {}


MODULE = '"""Tools."""\n\n\ndef double(value):\n    """Twice the value."""\n    return 2 * value\n'
BOTH = (
    "reward_rubric {\n  criterion style weight=1\n  criterion docs weight=1\n"
    "  criterion naming weight=1\n}\n"
)
STYLE_ONLY = "reward_rubric {\n  criterion style weight=1\n}\n"


def _changed(tmp_path: Path, rubric: str) -> Path:
    repo = init_repo(tmp_path / "own", {"app.rubric": rubric, "pkg/tools.py": MODULE})
    # A new public function without a docstring (C0116) and a camelCase name (C0103).
    edit(
        repo,
        "pkg/tools.py",
        "def double(",
        "def halfOf(amount):\n    return amount / 2\n\n\ndef double(",
    )
    return repo


def test_a_missing_docstring_costs_docs_not_style(tmp_path: Path) -> None:
    repo = _changed(tmp_path, BOTH)
    result = score(repo, enabled=only("pylint", "docstrings", "naming"), use_cache=False)
    style = result.criteria["style"]
    assert result.criteria["docs"].score is not None and result.criteria["docs"].score < 1.0
    assert result.criteria["naming"].score is not None and result.criteria["naming"].score < 1.0
    assert {f.code for f in style.findings} & {"C0116", "C0103"} == set()
    assert style.score == 1.0, style.steps
    assert "2 finding(s) left to docs, naming" in style.steps[0]
    # A finding style does own brings the full steps, which name each code's owner.
    edit(repo, "pkg/tools.py", "    return amount / 2\n", "    unused = 1\n    return amount / 2\n")
    # One finding among counted ones scores 0.91: a higher threshold shows the full steps.
    style = score(
        repo, enabled=only("pylint", "docstrings", "naming"), use_cache=False, heal_threshold=0.95
    ).criteria["style"]
    assert [f.code for f in style.findings] == ["W0612"]
    assert any("left to docs" in step and "C0116" in step for step in style.steps)
    assert any("left to naming" in step and "C0103" in step for step in style.steps)


def test_without_an_owner_pylint_keeps_the_codes(tmp_path: Path) -> None:
    result = score(_changed(tmp_path, STYLE_ONLY), enabled=only("pylint"), use_cache=False)
    assert {"C0116", "C0103"} <= {f.code for f in result.criteria["style"].findings}


NAMING_ONLY = "reward_rubric {\n  criterion naming weight=1\n}\n"
SUMMING = (
    '"""Sums."""\n\n\ndef weighted_sum(values, weights):\n    """Sum of products."""\n'
    "    total = 0\n    for value, weight in zip(values, weights):\n"
    "        total += value * weight\n    return total\n"
)


def test_one_letter_names_cost_naming(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "short", {"app.rubric": NAMING_ONLY, "pkg/sums.py": SUMMING})
    clean = score(repo, enabled=only("naming"), use_cache=False).criteria["naming"]
    assert clean.score == 1.0
    renamed = SUMMING.replace("values", "a").replace("weights", "b").replace("total", "t")
    (repo / "pkg/sums.py").write_text(renamed.replace("value", "v").replace("weight", "w"))
    naming = score(repo, enabled=only("naming"), use_cache=False).criteria["naming"]
    assert naming.score is not None and naming.score < 1.0
    flagged = {f.message.split("'")[1] for f in naming.findings if f.code == "non-descriptive-name"}
    assert flagged == {"a", "b", "t", "v", "w"}


def test_conventional_and_allowed_names_pass(tmp_path: Path) -> None:
    rubric = NAMING_ONLY + 'checks {\n  naming allow="i,t,v,w"\n}\n'
    repo = init_repo(tmp_path / "allowed", {"app.rubric": rubric, "pkg/sums.py": SUMMING})
    changed = SUMMING.replace("total", "t").replace("value", "v").replace("weight", "w")
    changed += "\n\ndef first(items):\n    try:\n        return items[0]\n"
    changed += "    except IndexError as e:\n        raise ValueError('empty') from e\n"
    (repo / "pkg/sums.py").write_text(changed)
    naming = score(repo, enabled=only("naming"), use_cache=False).criteria["naming"]
    assert naming.score == 1.0, naming.steps
