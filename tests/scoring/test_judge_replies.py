"""Each way a judge's reply can go wrong, against the scripted server: an error, never a score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.gitrepo import edit, git, write
from support.judge_server import Reply, completion, serving

import rubric_lsp
from rubric_lsp.scoring.judge.client import MAX_RETRIES

RUBRIC = """\
reward_rubric {
  criterion docs
  criterion edge_cases check=judge describe="an empty list is handled"
  criterion architecture check=judge describe="the change keeps functions small"
}
checks {
  judge model="tiny-judge" timeout=TIMEOUT
}
"""
JUDGED = ("edge_cases", "architecture")


def judged_repo(repo: Path, timeout: float = 30) -> Path:
    """The fixture package with a rubric of two judged criteria and a measured one, changed."""
    (repo / "calc.rubric").unlink()
    write(repo, "judged.rubric", RUBRIC.replace("TIMEOUT", f"{timeout:g}"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "judged rubric")
    old = '    """Sum the values."""\n'
    edit(repo, "calc/core.py", old, old + "    if not values:\n        return 0\n")
    return repo


def run(repo: Path, url: str, **options: Any) -> dict[str, Any]:
    """Score in-process with the judge at ``url``; the JSON report."""
    report: dict[str, Any] = rubric_lsp.score(repo, judge_url=url, **options).to_json()
    return report


def assert_errors(report: dict[str, Any], *words: str) -> None:
    """Both judged criteria are errors whose reason has ``words``; the measured one scored."""
    for name in JUDGED:
        criterion = report["criteria"][name]
        assert criterion["status"] == "error", criterion
        assert criterion["score"] is None and criterion["points"] is None
        for word in words:
            assert word in criterion["comment"], criterion["comment"]
        assert criterion["steps"][-1].endswith("Score: error")
    assert report["criteria"]["docs"]["status"] == "scored"


WRONG_SHAPE = json.dumps({"criteria": [{"name": "edge_cases", "points": "high"}]})
OFF_SCALE = json.dumps(
    {"criteria": [{"name": n, "steps": ["ok"], "points": 9, "citations": []} for n in JUDGED]}
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(WRONG_SHAPE, "steps must be"), (OFF_SCALE, "outside the scale 0..5"), ("", "empty")],
    ids=["wrong-schema", "points-off-the-scale", "empty"],
)
def test_a_reply_of_the_wrong_shape_is_retried_once_then_an_error(
    repo: Path, content: str, reason: str
) -> None:
    with serving(Reply(content=content)) as judge:
        report = run(judged_repo(repo), judge.url)
        assert len(judge.requests) == 2
    assert_errors(report, "malformed twice", reason)


def test_one_malformed_reply_then_a_valid_one_scores(repo: Path) -> None:
    with serving(Reply(content="not json"), Reply(points=3)) as judge:
        report = run(judged_repo(repo), judge.url)
        assert len(judge.requests) == 2
    assert [report["criteria"][n]["points"] for n in JUDGED] == [3, 3]
    assert report["judge"]["requests"] == 2


def test_a_missing_criterion_is_an_error_and_the_other_still_scores(repo: Path) -> None:
    with serving(Reply(points=5, leave_out=("architecture",))) as judge:
        judged_repo(repo)
        report = run(repo, judge.url)
        assert len(judge.requests) == 1
        architecture = report["criteria"]["architecture"]
        assert architecture["status"] == "error"
        assert "no entry for architecture" in architecture["comment"]
        assert report["criteria"]["edge_cases"]["points"] == 5
        # An incomplete reply is not cached: the next run asks again.
        run(repo, judge.url)
        assert len(judge.requests) == 2


def test_a_429_is_retried_after_its_retry_after(repo: Path) -> None:
    with serving(Reply(status=429, headers={"Retry-After": "1"}), Reply(points=4)) as judge:
        report = run(judged_repo(repo), judge.url)
        assert len(judge.requests) == 2
        assert judge.times[1] - judge.times[0] >= 0.9
    assert [report["criteria"][n]["points"] for n in JUDGED] == [4, 4]


@pytest.mark.parametrize(
    ("status", "reason"), [(429, "rate-limiting (HTTP 429)"), (500, "HTTP 500")]
)
def test_an_endpoint_that_keeps_failing_is_an_error(repo: Path, status: int, reason: str) -> None:
    with serving(Reply(status=status, headers={"Retry-After": "0"})) as judge:
        report = run(judged_repo(repo), judge.url)
        assert len(judge.requests) == MAX_RETRIES + 1
    assert_errors(report, reason)


def test_a_judge_that_does_not_answer_in_time_is_an_error(repo: Path) -> None:
    with serving(Reply(delay=6)) as judge:
        report = run(judged_repo(repo, timeout=2), judge.url)
        assert len(judge.requests) >= 1
    assert_errors(report, "did not answer within")


def test_a_refusal_is_an_error(repo: Path) -> None:
    body = json.loads(completion("", "tiny-judge"))
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "refusal": "no"}
    with serving(Reply(body=json.dumps(body).encode())) as judge:
        report = run(judged_repo(repo), judge.url)
        assert len(judge.requests) == 1
    assert_errors(report, "refused")


def test_a_run_that_does_not_judge_sends_nothing(repo: Path) -> None:
    import asyncio

    from rubric_lsp.scoring.engine import ScoreOptions, run_scoring

    with serving() as judge:
        judged_repo(repo)
        options = ScoreOptions(repo=repo, judge_url=judge.url, judge=False)
        result = asyncio.run(run_scoring(options))
        assert judge.requests == []
    for name in JUDGED:
        assert result.criteria[name].status == "skipped"
        assert "judgeOnSave" in result.criteria[name].comment
