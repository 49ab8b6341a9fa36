"""Real changes to the fixture package, each moving exactly the criterion it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.gitrepo import copy_repo, edit, git, write

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreResult

# Benchmarks are timed, so only the performance test runs them (see test_slower_loop).
NO_BENCHMARK = {"benchmark": False}


def scores(result: ScoreResult) -> dict[str, float | None]:
    """Each criterion's score."""
    return {name: c.score for name, c in result.criteria.items()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, base_repo: Path) -> ScoreResult:
    """The unchanged fixture: every measured criterion is perfect."""
    repo = copy_repo(base_repo, tmp_path_factory.mktemp("clean") / "calc")
    return score(repo, enabled=NO_BENCHMARK)


def test_clean_tree_scores_perfectly(clean: ScoreResult) -> None:
    measured = {n: s for n, s in scores(clean).items() if n != "performance"}
    assert measured == dict.fromkeys(measured, 1.0)
    assert clean.changed_files == ()
    assert clean.criteria["correctness"].comment == "4/4 tests passed"
    assert clean.accepted is True


def assert_moves_only(result: ScoreResult, clean: ScoreResult, moved: set[str]) -> None:
    """The criteria in ``moved`` fell below their clean score; every other one stayed."""
    before, after = scores(clean), scores(result)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == moved, {name: (before[name], after[name]) for name in before}
    for name in moved:
        assert after[name] is not None and before[name] is not None
        assert after[name] < before[name]


# Eleven paths through one function (an if and nine elifs), each line run by the tests.
CLASSIFY = (
    'def classify(value):\n    """Name the size of a value."""\n    label = "large"\n'
    '    if value < 1:\n        label = "small"\n'
    + "".join(f'    elif value < {n}:\n        label = "under {n}"\n' for n in range(2, 11))
    + "    return label\n\n\n"
)

CHANGES: dict[str, tuple[list[tuple[str, str, str]], dict[str, str], set[str]]] = {
    # name: (edits (file, old, new), new files, criteria that must move)
    "removed error handling": (
        [
            (
                "calc/core.py",
                "    try:\n        port = int(text)\n    except ValueError as error:\n"
                '        raise ConfigError(f"not a port: {text}") from error\n',
                "    port = int(text)\n",
            )
        ],
        {},
        {"error_handling"},
    ),
    "shell=True": (
        [
            (
                "calc/core.py",
                'subprocess.run(["ls", path], check=True',
                'subprocess.run(f"ls {path}", shell=True, check=True',
            )
        ],
        {},
        {"security"},
    ),
    "unused variable": (
        [("calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")],
        {},
        {"style"},
    ),
    "missing docstring": (
        [
            (
                "calc/core.py",
                "def list_dir(path):",
                "def average(values):\n    return total(values) / len(values)\n\n\n"
                "def list_dir(path):",
            ),
            (
                "tests/test_core.py",
                "def test_total():",
                "def test_average():\n    assert average([1, 3]) == 2\n\n\ndef test_total():",
            ),
            ("tests/test_core.py", "list_dir, parse_port", "average, list_dir, parse_port"),
        ],
        {},
        {"docs"},
    ),
    "untested new function": (
        [
            (
                "calc/core.py",
                "def list_dir(path):",
                'def scale(values, factor):\n    """Multiply every value."""\n'
                "    return [value * factor for value in values]\n\n\n"
                "def list_dir(path):",
            )
        ],
        {},
        # The def statement runs at import; its body never does: 1 of 2 lines covered.
        {"tests"},
    ),
    "failing test": (
        [
            (
                "tests/test_core.py",
                "def test_total():",
                "def test_total_empty():\n    assert total([]) == 1\n\n\ndef test_total():",
            )
        ],
        {},
        {"correctness"},
    ),
    "untracked new file with an issue": (
        [],
        {
            "calc/shell.py": '"""Shell helpers."""\n\nimport subprocess\n\n\n'
            "def run_shell(command):\n"
            '    """Run a command line through the shell."""\n'
            "    return subprocess.run(command, shell=True, check=True)\n",
            "tests/test_shell.py": "from calc.shell import run_shell\n\n\n"
            "def test_run_shell():\n"
            '    assert run_shell("true").returncode == 0\n',
        },
        {"security"},
    ),
    "complex function": (
        [
            (
                "calc/core.py",
                "def list_dir(path):",
                CLASSIFY + "def list_dir(path):",
            ),
            (
                "tests/test_core.py",
                "def test_total():",
                'def test_classify():\n    """Every branch of classify."""\n'
                "    assert [classify(n) for n in range(12)][0] == 'small'\n"
                "    assert classify(11) == 'large'\n\n\ndef test_total():",
            ),
            ("tests/test_core.py", "list_dir, parse_port", "classify, list_dir, parse_port"),
        ],
        {},
        # Eleven paths through one function: cyclomatic complexity 11, above 10.
        {"readability"},
    ),
    "bad name": (
        [
            (
                "calc/core.py",
                "    result = 0\n    for value in values:\n        result += value\n"
                "    return result\n",
                "    Result = 0\n    for value in values:\n        Result += value\n"
                "    return Result\n",
            )
        ],
        {},
        # invalid-name is a pylint message too, but naming owns it: style does not move.
        {"naming"},
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_change_moves_its_criterion(change: str, repo: Path, clean: ScoreResult) -> None:
    edits, new_files, moved = CHANGES[change]
    for name, old, new in edits:
        edit(repo, name, old, new)
    for name, text in new_files.items():
        write(repo, name, text)
    result = score(repo, enabled=NO_BENCHMARK)
    assert_moves_only(result, clean, moved)
    for name in moved:
        criterion = result.criteria[name]
        assert criterion.steps[-1].endswith(f"Score: {round(criterion.score or 0, 2):g}")
        weak = (criterion.score or 0) < result.heal_threshold
        # Weak criteria carry their full reasoning, the others a one-line summary.
        assert (len(criterion.steps) > 1) == weak, criterion.steps


def test_untracked_file_counts_as_added(repo: Path) -> None:
    write(repo, "calc/shell.py", CHANGES["untracked new file with an issue"][1]["calc/shell.py"])
    result = score(repo, enabled={"tests": False, "coverage": False, "benchmark": False})
    assert "calc/shell.py" in result.changed_files
    security = result.criteria["security"]
    codes = {(f.path, f.line, f.code.split()[0]) for f in security.findings}
    assert ("calc/shell.py", 8, "B602") in codes
    assert ("calc/shell.py", 3, "B404") in codes  # a new file: its import is new too
    assert security.score == pytest.approx(1 - 0.5 - 0.1)


def test_shell_true_finding_details(repo: Path) -> None:
    edit(
        repo,
        "calc/core.py",
        'subprocess.run(["ls", path]',
        'subprocess.run(f"ls {path}", shell=True',
    )
    result = score(repo, enabled={"tests": False, "coverage": False, "benchmark": False})
    security = result.criteria["security"]
    assert [(f.path, f.line, f.code.split()[0]) for f in security.findings] == [
        ("calc/core.py", 31, "B602")
    ]
    assert security.score == pytest.approx(0.5)
    finding = security.findings[0].to_json()
    assert {"path", "line", "column", "code", "message", "severity"} <= set(finding)
    assert finding["severity"] == "error"


def test_failing_test_id_in_steps(repo: Path) -> None:
    edit(
        repo,
        "tests/test_core.py",
        "def test_total():",
        "def test_total_empty():\n    assert total([]) == 1\n\n\ndef test_total():",
    )
    result = score(repo, enabled={"benchmark": False, "coverage": False}, heal_threshold=0.9)
    correctness = result.criteria["correctness"]
    assert correctness.score == pytest.approx(4 / 5)
    assert correctness.steps[0].startswith("1. Ran `python -m pytest -q`")
    assert any("tests.test_core::test_total_empty" in step for step in correctness.steps)
    assert correctness.steps[-1] == f"{len(correctness.steps)}. Score: 0.8"
    assert [f.line for f in correctness.findings] == [15]


def test_import_left_unused_by_removed_call_counts(repo: Path) -> None:
    """A finding on an unchanged line that the change caused counts; inherited ones do not."""
    write(
        repo,
        "calc/paths.py",
        '"""Paths."""\n\nimport os\nimport sys\n\n\ndef here():\n    """The current folder."""\n    return os.getcwd()\n',
    )
    git(repo, "add", "calc/paths.py")
    git(repo, "commit", "-q", "-m", "paths")
    edit(repo, "calc/paths.py", "    return os.getcwd()\n", '    return "."\n')
    result = score(repo, enabled={"tests": False, "coverage": False, "benchmark": False})
    codes = [(f.line, f.code) for f in result.criteria["style"].findings]
    # `import os` (line 3, unchanged) is unused because of the change; `import sys` already was.
    assert codes == [(3, "W0611")]
    assert result.criteria["style"].findings[0].symbol == "unused-import"


@pytest.mark.slow
def test_slower_loop_moves_performance(repo: Path, clean: ScoreResult) -> None:
    edit(
        repo,
        "calc/core.py",
        "        result += value\n",
        "        result = int(str(result + value))\n",
    )
    result = score(repo)
    performance = result.criteria["performance"]
    assert performance.status == "scored"
    assert performance.score is not None and performance.score < 0.5
    assert any("Baseline" in step for step in performance.steps)
    others = {n: s for n, s in scores(result).items() if n != "performance"}
    assert others == {n: s for n, s in scores(clean).items() if n != "performance"}
