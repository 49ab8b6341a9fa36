"""`rubric score` with judged criteria against a scripted chat-completions server on localhost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.gitrepo import edit, git, write
from support.judge_server import COMPLETION_TOKENS, PROMPT_TOKENS, Reply, serving

from rubric_lsp.scoring.reports.contract import report_schema

JUDGED = """\
task {
  title "Empty totals"
  objective "total refuses an empty list of values"
}
reward_rubric {
  criterion style check=pylint
  criterion edge_cases check=judge describe="empty and huge inputs are handled"
  criterion architecture check=judge describe="the change fits calc.core's small functions"
}
checks {
  judge url="URL" model="tiny-judge" timeout=TIMEOUT
}
"""

CHANGE_OLD = '    """Sum the values."""\n'
CHANGE_NEW = CHANGE_OLD + '    if not values:\n        raise ValueError("no values to sum")\n'


def judged_repo(repo: Path, rubric_url: str = "http://127.0.0.1:9/v1", timeout: int = 30) -> Path:
    """The fixture package with the judged rubric committed, and a change to judge."""
    text = JUDGED.replace("URL", rubric_url).replace("TIMEOUT", str(timeout))
    (repo / "calc.rubric").unlink()
    write(repo, "judged.rubric", text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "judged rubric")
    edit(repo, "calc/core.py", CHANGE_OLD, CHANGE_NEW)
    return repo


def score(repo: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`rubric score --format json` in ``repo``; its JSON report."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RUBRIC_JUDGE_URL", "RUBRIC_JUDGE_MODEL", "OPENAI_API_KEY")
    }
    environment.update(env or {})
    command = [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo)]
    done = subprocess.run(
        [*command, "--format", "json", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    # Every judged report, its `judge` section included, is what `rubric schema` promises.
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    return report


def test_one_request_scores_both_then_the_cache_answers(repo: Path) -> None:
    with serving(Reply(points=4, citations=("calc/core.py:23", "calc/core.py:999"))) as judge:
        judged_repo(repo, judge.url)
        first = score(repo, "--judge-url", judge.url)
        assert len(judge.requests) == 1
        request = judge.requests[0]
        assert judge.paths == ["/v1/chat/completions"]
        assert request["model"] == "tiny-judge"
        assert request["temperature"] == 0 and isinstance(request["seed"], int)
        assert request["response_format"]["type"] == "json_schema"
        shown = judge.user_text()
        assert "no values to sum" in shown and "+++ b/calc/core.py" in shown
        assert "empty and huge inputs are handled" in shown
        assert "the change fits calc.core's small functions" in shown
        assert "total refuses an empty list of values" in shown
        # The measured evidence came first: pylint had finished when the judge was asked.
        assert "pylint (measures style)" in shown
        for name in ("edge_cases", "architecture"):
            criterion = first["criteria"][name]
            assert criterion["status"] == "scored", criterion
            assert criterion["points"] == 4 and criterion["score"] == 0.8
            assert criterion["steps"][-1].endswith("Score: 0.8")
            assert any("looks handled" in step for step in criterion["steps"])
            assert criterion["evidence"]["citations"] == ["calc/core.py:23"]
            assert criterion["evidence"]["uncited"] == 1
        assert first["criteria"]["style"]["status"] == "scored"
        section = first["judge"]
        assert section["requests"] == 1 and section["cached"] is False
        assert section["prompt_tokens"] == PROMPT_TOKENS
        assert section["completion_tokens"] == COMPLETION_TOKENS
        assert section["uncited"] == 2 and section["seconds"] > 0

        second = score(repo, "--judge-url", judge.url)
        assert len(judge.requests) == 1, "an unchanged change must send nothing"
        assert second["judge"]["cached"] is True and second["judge"]["requests"] == 0
        assert second["criteria"]["edge_cases"]["points"] == 4


def test_a_reply_that_is_not_json_is_an_error_never_a_score(repo: Path) -> None:
    with serving(Reply(content="I think it is fine, 4/5.")) as judge:
        judged_repo(repo, judge.url)
        report = score(repo, "--judge-url", judge.url)
        # One retry of the malformed reply, then the error.
        assert len(judge.requests) == 2
    for name in ("edge_cases", "architecture"):
        criterion = report["criteria"][name]
        assert criterion["status"] == "error" and criterion["score"] is None
        assert "malformed twice" in criterion["comment"] and "not JSON" in criterion["comment"]
        assert criterion["steps"][-1].endswith("Score: error")
    assert report["criteria"]["style"]["status"] == "scored"
    assert "edge_cases" not in report["subscores"]


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_a_url_only_the_rubric_names_is_never_sent_to(repo: Path, trusted: bool) -> None:
    with serving() as judge:
        judged_repo(repo, judge.url)
        report = score(repo, *([] if trusted else ["--untrusted"]))
        assert judge.requests == []
    for name in ("edge_cases", "architecture"):
        criterion = report["criteria"][name]
        assert criterion["status"] == "skipped"
        assert "comes only from the workspace's rubric" in criterion["comment"]
        assert f"--judge-url {judge.url}" in criterion["comment"]
    assert report["criteria"]["style"]["status"] == "scored"


def test_the_environment_is_the_users_side_too(repo: Path) -> None:
    with serving() as judge:
        judged_repo(repo)
        report = score(
            repo,
            "--untrusted",
            env={"RUBRIC_JUDGE_URL": judge.url, "RUBRIC_JUDGE_MODEL": "env-model"},
        )
        assert len(judge.requests) == 1
        assert judge.requests[0]["model"] == "env-model"
    assert report["criteria"]["edge_cases"]["status"] == "scored"
