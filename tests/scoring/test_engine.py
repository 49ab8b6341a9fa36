"""The engine: seed vectors, the JSON contract, isolation, trust, timeouts, progress, cache."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

import pytest
from support import SEEDS
from support.critics import CRITICS
from support.gitrepo import edit, git

from rubric_lsp.commands import score as command
from rubric_lsp.language.parser import parse
from rubric_lsp.scoring import engine
from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.critic import CheckSettings, Context, CriticResult
from rubric_lsp.scoring.engine import Progress, ScoreOptions, aggregate, run_scoring

SEED_000 = """\
reward_rubric {
  criterion correctness weight=0.4 check=tests
  criterion style weight=0.2 check=pylint
  criterion performance weight=0.2 check=benchmark
  criterion security weight=0.2 check=bandit
}
"""

STATIC = {"tests": False, "coverage": False, "benchmark": False}
NOTHING = dict.fromkeys(CRITICS, False)


def test_seed_000_weighted_total() -> None:
    """Subscores 1.0/0.8/0.4/0.6 with weights 0.4/0.2/0.2/0.2 give 0.76."""
    document = parse(SEED_000)
    results = {
        "tests": CriticResult(1.0, summary="all tests pass"),
        "pylint": CriticResult(0.8, summary="two warnings"),
        "benchmark": CriticResult(0.4, summary="Performance regression due to O(n²) loop."),
        "bandit": CriticResult(0.6, summary="one medium issue"),
    }
    checks = {
        check: [name]
        for name, check in zip(
            ["correctness", "style", "performance", "security"], results, strict=True
        )
    }
    evaluation, criteria = aggregate(document, results, checks)
    assert evaluation.final_score == pytest.approx(0.76)
    assert {n: c.score for n, c in criteria.items()} == {
        "correctness": 1.0,
        "style": 0.8,
        "performance": 0.4,
        "security": 0.6,
    }
    assert criteria["performance"].steps == (
        "1. Performance regression due to O(n²) loop.",
        "2. Below the healing threshold 0.8.",
        "3. Score: 0.4",
    )
    assert criteria["correctness"].steps == ("1. All tests pass. Score: 1",)


def _args(repo: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(["--repo", str(repo), *extra])


@pytest.mark.parametrize(
    ("rubric", "total", "accepted", "exit_code"),
    [("workflow_first_attempt.rubric", 20, False, 1), ("workflow.rubric", 27, True, 0)],
)
def test_seed_001_hand_scores_through_rubric_score(
    repo: Path,
    rubric: str,
    total: float,
    accepted: bool,
    exit_code: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With no check running, hand scores decide: 20 is rejected (tests 3 < 4), 27 accepted."""
    result = score(repo, rubric=SEEDS / rubric, enabled=NOTHING)
    assert result.evaluation.total == total
    assert result.accepted is accepted
    if not accepted:
        assert result.failed_rules == ["total_gte 27", "minimum tests 4"]
    skip = [arg for check in NOTHING for arg in ("--skip", check)]
    code = command.run(_args(repo, "--rubric", str(SEEDS / rubric), "--format", "json", *skip))
    assert code == exit_code
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == total and data["accepted"] is accepted


CONTRACT_KEYS = {
    "rubric",
    "base",
    "changed_files",
    "criteria",
    "subscores",
    "final_score",
    "total",
    "max_total",
    "accepted",
    "review",
    "failed_rules",
    "comments",
}
CRITERION_KEYS = {"score", "points", "weight", "check", "status", "comment", "steps", "findings"}
FINDING_KEYS = {"path", "line", "column", "code", "message", "severity"}


def test_json_contract(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(
        repo,
        "calc/core.py",
        'subprocess.run(["ls", path]',
        'subprocess.run(f"ls {path}", shell=True',
    )
    code = command.run(_args(repo, "--format", "json", "--skip", "benchmark"))
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= CONTRACT_KEYS
    assert data["rubric"].endswith("calc.rubric")
    assert data["changed_files"] == ["calc/core.py"]
    assert len(data["base"]) == 40
    for name, criterion in data["criteria"].items():
        assert set(criterion) >= CRITERION_KEYS, name
        assert criterion["status"] in ("scored", "unscored", "error", "skipped")
        assert re.fullmatch(
            r"\d+\. (.*)?Score: (unscored|error|skipped|[0-9.]+)", criterion["steps"][-1]
        )
        assert [step.split(".")[0] for step in criterion["steps"]] == [
            str(n) for n in range(1, len(criterion["steps"]) + 1)
        ]
        for finding in criterion["findings"]:
            assert set(finding) >= FINDING_KEYS
            assert finding["severity"] in ("error", "warning", "info")
    assert data["criteria"]["performance"]["status"] == "unscored"
    assert "performance" not in data["subscores"]
    assert data["subscores"]["security"] == 0.5
    first = data["criteria"]["security"]["findings"][0]
    assert (first["code"], first["symbol"]) == ("B602", "subprocess_popen_with_shell_equals_true")
    weights = {n: c["weight"] for n, c in data["criteria"].items() if c["score"] is not None}
    expected = sum(weights[n] * data["subscores"][n] for n in weights) / sum(weights.values())
    assert data["final_score"] == pytest.approx(expected, abs=1e-4)
    assert data["accepted"] is (data["final_score"] >= 0.8) and code == (
        0 if data["accepted"] else 1
    )
    assert "security:" in data["comments"]


def test_untrusted_skips_code_execution(repo: Path) -> None:
    marker = repo.parent / "ran"
    edit(
        repo,
        "calc.rubric",
        'benchmark command="python bench.py" repeat=3',
        f"tests command=\"python -c \\\"open('{marker}', 'w')\\\"\"\n"
        f"  benchmark command=\"python -c \\\"open('{marker}', 'w')\\\"\"",
    )
    result = score(repo, trusted=False)
    assert not marker.exists()
    for name in ("correctness", "tests", "performance"):
        criterion = result.criteria[name]
        assert criterion.status == "skipped"
        assert "not trusted" in criterion.comment and "trusted" in criterion.steps[0]
    assert result.criteria["security"].status == "scored"
    assert result.criteria["docs"].status == "scored"


def test_timeout_is_an_error_and_the_others_still_score(repo: Path) -> None:
    edit(
        repo,
        "calc.rubric",
        'benchmark command="python bench.py" repeat=3',
        'tests command="python -c \\"import time; time.sleep(60)\\"" timeout=1',
    )
    result = score(repo, enabled={"benchmark": False})
    assert result.criteria["correctness"].status == "error"
    assert "timed out after 1 s" in result.criteria["correctness"].comment
    assert result.criteria["style"].status == "scored"
    assert result.seconds < 30
    # An error is not a score: the minimum over it is undecided, never accepted or rejected.
    assert result.accepted is None and result.evaluation.verdict == "undecided"
    assert "minimum correctness 4" in result.evaluation.undecided_rules
    assert "minimum correctness 4" not in result.failed_rules
    assert result.exit_code == 2


class _Crashing:
    name = "pylint"
    executes_code = False
    default_timeout = 5.0

    async def run(self, context: Context) -> CriticResult:
        raise ZeroDivisionError("boom")


class _Slow:
    name = "bandit"
    executes_code = False
    default_timeout = 0.2

    async def run(self, context: Context) -> CriticResult:
        await asyncio.sleep(5)
        return CriticResult(1.0)


class _Fine:
    name = "docstrings"
    executes_code = False
    default_timeout = 5.0

    async def run(self, context: Context) -> CriticResult:
        await asyncio.sleep(0.05)
        return CriticResult(0.9, summary="fine")


async def test_critics_are_isolated_and_report_progress(tmp_path: Path) -> None:
    critics = {"pylint": _Crashing(), "bandit": _Slow(), "docstrings": _Fine()}
    checks = {"pylint": ["style"], "bandit": ["security"], "docstrings": ["docs"]}
    context = Context(None, None, {}, None, tmp_path, frozenset(checks))  # type: ignore[arg-type]
    events: list[Progress] = []
    results = await engine.run_critics(checks, context, ScoreOptions(), critics, events.append)
    assert results["pylint"].status == "error" and "boom" in results["pylint"].summary
    assert results["bandit"].status == "error" and "timed out" in results["bandit"].summary
    assert results["docstrings"].score == 0.9
    assert sorted(e.check for e in events) == ["bandit", "docstrings", "pylint"]
    assert [e.done for e in events] == [1, 2, 3] and {e.total for e in events} == {3}


def test_progress_callback_from_a_real_run(repo: Path) -> None:
    events: list[Progress] = []
    result = score(repo, enabled=STATIC, progress=events.append)
    measured = {c.check for c in result.criteria.values() if c.source == "measured"}
    assert {e.check for e in events} == measured
    assert events[-1].done == events[-1].total == len(measured)


def test_checks_block_settings_and_overrides() -> None:
    document = parse(
        'checks {\n  tests command="make test" timeout=5\n  benchmark repeat=7 enabled=false\n}\n'
    )
    settings = engine.check_settings(
        document, ScoreOptions(enabled={"benchmark": True}, timeouts={"pylint": 9})
    )
    assert settings["tests"] == CheckSettings("tests", "make test", 5.0, None, True)
    assert settings["benchmark"] == CheckSettings("benchmark", None, None, 7, True)
    assert settings["pylint"].timeout == 9


def test_second_run_uses_the_cache(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")
    first = score(repo, enabled=STATIC)
    assert (repo / ".git" / "rubric-cache" / "pylint").is_dir()
    from rubric_lsp.scoring.critics import bandit, pylint

    async def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the tool ran although its results were cached")

    monkeypatch.setattr(pylint, "run_pylint", refuse)
    monkeypatch.setattr(bandit, "run_bandit", refuse)
    second = score(repo, enabled=STATIC)
    assert second.to_json()["criteria"] == first.to_json()["criteria"]
    # A content change misses the cache: the tool must run again.
    edit(repo, "calc/core.py", "count = len(values)", "count = len(values) + 1")
    again = score(repo, enabled=STATIC)
    assert again.criteria["style"].status == "error"
    assert "cached" in again.criteria["style"].comment


async def test_engine_is_awaitable_and_cancellable(repo: Path) -> None:
    """Cancelling a run ends its subprocesses and removes its temporary checkout."""
    pid_file = repo.parent / "bench.pid"
    edit(
        repo,
        "calc.rubric",
        'benchmark command="python bench.py" repeat=3',
        f"benchmark command=\"python -c \\\"import os, time; open('{pid_file}', 'w').write(str(os.getpid())); time.sleep(60)\\\"\" repeat=1",
    )
    task = asyncio.create_task(
        run_scoring(ScoreOptions(repo=repo, enabled={"tests": False, "coverage": False}))
    )
    for _ in range(200):
        await asyncio.sleep(0.05)
        if pid_file.exists() and pid_file.read_text():
            break
    pid = int(pid_file.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
    assert git(repo, "worktree", "list").count("\n") == 1


def test_python_means_this_interpreter() -> None:
    from rubric_lsp.scoring.critic import python_argv

    assert python_argv(["python", "-m", "pytest"]) == [sys.executable, "-m", "pytest"]
    assert python_argv(["make"]) == ["make"]


def test_borderline_result_is_flagged_for_review() -> None:
    document = parse(
        "reward_rubric {\n  criterion style check=pylint\n  criterion security check=bandit\n}\n"
        "review_if {\n  weighted_between 0.5 0.7\n}\n"
    )
    checks = {"pylint": ["style"], "bandit": ["security"]}
    borderline = {"pylint": CriticResult(0.9), "bandit": CriticResult(0.3)}
    evaluation, _ = aggregate(document, borderline, checks)
    assert evaluation.final_score == pytest.approx(0.6) and evaluation.review is True
    clear = {"pylint": CriticResult(0.9), "bandit": CriticResult(0.9)}
    assert aggregate(document, clear, checks)[0].review is False
