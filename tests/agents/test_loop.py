"""`rubric loop` with a scripted agent: it stops when accepted, on the limit, when nothing changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import support.agent_script as agent_script
from support.gitrepo import init_repo, write

RUBRIC = """\
reward_rubric {
  criterion security weight=1
  criterion docs weight=1
}

accept_if {
  weighted_gte 0.9
}
"""
AGENT = f"{sys.executable} {agent_script.__file__}"


def _repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "calc")
    write(repo, "calc.rubric", RUBRIC)
    subprocess.run(["git", "commit", "-qam", "two criteria"], cwd=repo, check=True)
    return repo


def _loop(repo: Path, *args: str, **env: str) -> tuple[int, dict, str]:
    command = [
        sys.executable,
        "-m",
        "rubric_lsp.cli",
        "loop",
        "--repo",
        str(repo),
        "--agent",
        AGENT,
    ]
    done = subprocess.run(
        [*command, "--no-cache", "--format", "json", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def _weighted(data: dict) -> list[float]:
    return [r["report"]["final_score"] for r in data["rounds"]]


def test_the_loop_stops_when_accepted_with_scores_rising(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    rubric = (repo / "calc.rubric").read_text()
    code, data, _ = _loop(repo, "--max-rounds", "5", SELF_GRADE="5")
    assert code == 0 and data["stopped"] == "accepted" and data["accepted"] is True
    assert len(data["rounds"]) == 3
    scores = _weighted(data)
    assert scores == sorted(scores) and scores[0] < scores[1] < scores[2]
    assert data["rounds"][2]["flipped_rules"] == ["weighted_gte 0.9: pass"]
    # The agent claimed 5 points of security in round 1, where bandit measured 2.5.
    assert data["rounds"][0]["self_grade"] == {"security": 5.0}
    assert data["rounds"][0]["self_grade_gap"] == 2.5
    assert (repo / "calc.rubric").read_text() == rubric
    copy = Path(data["rubric_copy"]).read_text()
    assert "rescore {" in copy and "critique {" in copy and "revise docs" in copy


def test_the_loop_stops_on_the_round_limit_and_prints_its_table(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    command = [
        sys.executable,
        "-m",
        "rubric_lsp.cli",
        "loop",
        "--repo",
        str(repo),
        "--agent",
        AGENT,
    ]
    done = subprocess.run(
        [*command, "--max-rounds", "2", "--no-cache"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["criterion", "round", "1", "round", "2"]
    assert lines[1].split()[0] == "security" and lines[2].split() == ["docs", "0.00", "1.00"]
    assert "round 1 → 2: weighted +0.50; no rule flipped" in done.stdout
    assert "stopped: round limit" in done.stdout and "verdict: rejected" in done.stdout


def test_the_loop_stops_when_a_round_changes_nothing(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, data, _ = _loop(repo, "--max-rounds", "4", LAZY="1")
    assert code == 1 and data["stopped"] == "unchanged" and len(data["rounds"]) == 1


def test_write_appends_the_rounds_to_the_users_rubric(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    code, data, _ = _loop(repo, "--max-rounds", "2", "--write")
    assert code == 1 and data["stopped"] == "round limit"
    written = (repo / "calc.rubric").read_text()
    assert written.startswith(RUBRIC) and "# round 1, measured\nrescore {" in written
    assert written == Path(data["rubric_copy"]).read_text()


def test_a_rubric_without_accept_if_stops_after_one_round_and_says_why(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write(repo, "calc.rubric", RUBRIC.split("accept_if")[0])
    subprocess.run(["git", "commit", "-qam", "no goal"], cwd=repo, check=True)
    code, data, _ = _loop(repo, "--max-rounds", "4")
    assert code == 0 and data["stopped"] == "no accept_if" and data["accepted"] is None
    assert len(data["rounds"]) == 1


def test_an_undecided_round_stops_the_loop_with_exit_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    # Untrusted: the tests are not run, so no revision can decide a rule on correctness.
    write(
        repo,
        "calc.rubric",
        RUBRIC.replace("weighted_gte 0.9", "minimum correctness 4").replace(
            "criterion docs weight=1", "criterion docs weight=1\n  criterion correctness weight=1"
        ),
    )
    subprocess.run(["git", "commit", "-qam", "correctness"], cwd=repo, check=True)
    code, data, _ = _loop(repo, "--max-rounds", "4", "--untrusted")
    assert code == 2 and data["stopped"] == "undecided" and data["accepted"] is None
    assert len(data["rounds"]) == 1
    assert data["rounds"][0]["report"]["verdict"] == "undecided"
