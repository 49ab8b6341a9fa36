"""`rubric test` on a fixture repository's commits: the table, the JSON and the exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.gitrepo import edit, git, init_repo, state

from rubric_lsp.cli import main

CLAMP = '''def clamp(value, low, high):
    """Clamp a number into [low, high]."""
    number = float(value)
    if number < low:
        return low
    return min(number, high)


def list_dir(path):'''

CLAMP_TESTS = """def test_clamp():
    assert clamp("5", 0, 3) == 3
    assert clamp(-1, 0, 3) == 0


def test_list_dir"""

# Added without a test: flipping its comparison breaks nothing the tests run.
UNTESTED = '''def is_small(value):
    """Whether a value is below ten."""
    return value < 10


def list_dir(path):'''


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture package, then a commit with its tests, then one without."""
    repo = init_repo(tmp_path_factory.mktemp("history") / "calc")
    edit(repo, "calc/core.py", "def list_dir(path):", CLAMP)
    edit(repo, "tests/test_core.py", "def test_list_dir", CLAMP_TESTS)
    edit(repo, "tests/test_core.py", "import ConfigError,", "import ConfigError, clamp,")
    git(repo, "commit", "-qam", "clamp, tested")
    edit(repo, "calc/core.py", "def list_dir(path):", UNTESTED)
    git(repo, "commit", "-qam", "is_small, untested")
    return repo


def rubric(tmp_path: Path, *criteria: str) -> str:
    path = tmp_path / "test.rubric"
    path.write_text("reward_rubric {\n" + "".join(f"  {c}\n" for c in criteria) + "}\n")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["test", *args])
    return code, capsys.readouterr().out


def test_all_caught_with_a_blind_spot_the_rubric_does_not_claim(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(history)
    security = rubric(tmp_path, "criterion security weight=1")
    argv = ["--repo", str(history), "--rubric", security, "--commits", "2"]
    code, out = run(capsys, *argv, "--defects", "shell-command,eval,swallowed-exception")
    assert code == 0, out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isalpha()}
    assert rows["shell-command"][1:5] == ["bandit", "security", "2/2", "security"]
    assert rows["eval"][1:5] == ["bandit", "security", "2/2", "security"]
    # Nothing in this rubric measures error handling: a blind spot, but not a broken claim.
    assert rows["swallowed-exception"][1:4] == ["error_handling", "-", "0/2"]
    assert "  a swallowed exception: not caught by any criterion (2 changes)" in out.splitlines()
    assert state(history) == before

    code, out = run(
        capsys, *argv, "--defects", "shell-command,swallowed-exception", "--format", "json"
    )
    report = json.loads(out)
    assert code == report["exit_code"] == 0
    assert report["blind_spots"] == [
        "a swallowed exception: not caught by any criterion (2 changes)"
    ]
    assert report["uncaught_claims"] == []
    shell = report["defects"][0]
    assert [o["change"].split()[1] for o in shell["outcomes"]] == ["is_small,", "clamp,"]
    assert all(
        o["caught"] and o["landed"] and o["criterion"] == "security" for o in shell["outcomes"]
    )
    assert all(o["drop"] > 0.4 for o in shell["outcomes"])


def test_a_claimed_defect_that_slips_through_exits_1(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    correctness = rubric(tmp_path, "criterion correctness weight=1")
    argv = ["--repo", str(history), "--rubric", correctness, "--defects", "flipped-comparison"]
    code, out = run(capsys, *argv, "--commits", "2", "--workers", "2", "--format", "json")
    report = json.loads(out)
    assert code == report["exit_code"] == 1
    assert report["uncaught_claims"] == ["flipped-comparison"]
    (summary,) = report["defects"]
    assert summary["claimed_by"] == ["correctness"]
    caught = {o["change"].split()[1]: o["caught"] for o in summary["outcomes"]}
    # The tested change's flip fails its test; the untested one's passes every test.
    assert caught == {"clamp,": True, "is_small,": False}
    assert summary["blind_spot"] == "a flipped comparison: not caught in 1 of 2 change(s)"


def test_with_coverage_only_a_comparison_the_tests_run_is_flipped(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = rubric(tmp_path, "criterion correctness weight=1", "criterion tests weight=1")
    argv = ["--repo", str(history), "--rubric", both, "--defects", "flipped-comparison"]
    code, out = run(capsys, *argv, "--commits", "2", "--workers", "2", "--format", "json")
    report = json.loads(out)
    (summary,) = report["defects"]
    # is_small's comparison runs in no test: flipping it could break none, so no twin.
    assert [o["change"].split()[1] for o in summary["outcomes"]] == ["clamp,"]
    assert summary["outcomes"][0]["caught"], summary["outcomes"]
    assert code == report["exit_code"] == 0, summary["outcomes"]


def test_a_patch_is_tested_like_a_commit(
    history: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patch = tmp_path / "change.diff"
    patch.write_text(git(history, "diff", "HEAD~1", "HEAD"))
    security = rubric(tmp_path, "criterion security weight=1")
    argv = ["--repo", str(history), "--rubric", security, "--patch", str(patch), "--base", "HEAD~1"]
    code, out = run(capsys, *argv, "--defects", "eval", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["changes"] == ["change.diff"]
    assert report["defects"][0]["caught"] == 1


def test_usage_errors_are_one_line_and_exit_2(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", "--repo", str(history), "--defects", "typo"]) == 2
    assert capsys.readouterr().err.startswith("rubric test: unknown defect 'typo'")
