"""`rubric score --batch` with the local engine: real patches, each line as if scored alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.batch_patches import (
    BROKEN,
    RUBRIC,
    STATIC,
    batch_file,
    comparable,
    hanging_patch,
    hanging_processes,
    leftovers,
    patches,
    score_alone,
)
from support.gitrepo import state

from rubric_lsp.cli import main


def run_batch(repo: Path, source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`rubric score --batch` as a user runs it; ``args`` holds its pid, for its leftovers."""
    command = [RUBRIC, "score", "--repo", str(repo), "--batch", str(source), *extra]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as batch:
        stdout, stderr = batch.communicate(timeout=600)
    return subprocess.CompletedProcess(batch.pid, batch.returncode, stdout, stderr)


def lines(done: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    """The JSON Lines a batch wrote."""
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_patch_scores_as_it_does_alone(repo: Path, tmp_path: Path) -> None:
    items = {**patches(repo), "broken": BROKEN}
    before = state(repo)
    done = run_batch(repo, batch_file(tmp_path, items), "--workers", "2", *STATIC)
    assert done.returncode == 0, done.stderr
    got = {line["id"]: line for line in lines(done)}
    assert sorted(got) == sorted(items)
    assert "does not apply" in str(got["broken"]["error"])
    assert set(got["broken"]) == {"id", "error"}
    for name, patch in items.items():
        if name != "broken":
            assert comparable(got[name]) == comparable(score_alone(repo, patch, *STATIC)), name
    # The scores differ between patches: equal lines would prove nothing.
    assert len({line.get("final_score") for line in got.values()}) >= 3
    assert state(repo) == before
    assert leftovers(repo, done.args) == []
    assert "[6/6]" in done.stderr and "patches/min" in done.stderr


def test_ordered_lines_follow_the_input(repo: Path, tmp_path: Path) -> None:
    items = {**patches(repo), "broken": BROKEN}
    names = list(reversed(items))
    source = batch_file(tmp_path, {name: items[name] for name in names})
    done = run_batch(repo, source, "--ordered", "--workers", "2", *STATIC)
    assert done.returncode == 0, done.stderr
    assert [line["id"] for line in lines(done)] == names


def test_group_advantages_on_each_line(repo: Path, tmp_path: Path) -> None:
    items = {**patches(repo), "broken": BROKEN}
    done = run_batch(repo, batch_file(tmp_path, items), "--group-advantages", *STATIC)
    assert done.returncode == 0, done.stderr
    got = {line["id"]: line for line in lines(done)}
    assert got["broken"]["advantage"] is None
    rewards = {k: float(v["final_score"]) for k, v in got.items() if k != "broken"}  # type: ignore[arg-type]
    mean = sum(rewards.values()) / len(rewards)
    spread = (sum((r - mean) ** 2 for r in rewards.values()) / (len(rewards) - 1)) ** 0.5
    # A line's final_score is rounded to 4 decimals and its advantage comes from the unrounded
    # reward: they agree within that rounding over the spread.
    for name, reward in rewards.items():
        expected = (reward - mean) / spread
        assert got[name]["advantage"] == pytest.approx(expected, abs=1e-5 + 1e-4 / spread)


@pytest.mark.slow
def test_a_hanging_test_suite_costs_only_its_own_line(repo: Path, tmp_path: Path) -> None:
    items = {"hangs": hanging_patch(repo), **dict(list(patches(repo).items())[:2])}
    before = state(repo)
    started = time.monotonic()
    done = run_batch(
        repo,
        batch_file(tmp_path, items),
        "--patch-timeout",
        "40",
        "--workers",
        "2",
        "--skip",
        "benchmark",
        "--skip",
        "coverage",
    )
    assert done.returncode == 0, done.stderr
    got = {line["id"]: line for line in lines(done)}
    assert got["hangs"]["error"] == "timed out after 40 s"
    for name in items:
        if name != "hangs":
            criteria = got[name]["criteria"]
            assert isinstance(criteria, dict)
            assert criteria["correctness"]["status"] == "scored", criteria["correctness"]
    assert time.monotonic() - started < 300
    assert hanging_processes() == []
    assert state(repo) == before
    assert leftovers(repo, done.args) == []


@pytest.mark.slow
def test_ctrl_c_leaves_nothing_behind(repo: Path, tmp_path: Path) -> None:
    items = {"hangs": hanging_patch(repo), "also-hangs": hanging_patch(repo)}
    before = state(repo)
    source = batch_file(tmp_path, items)
    command = [RUBRIC, "score", "--repo", str(repo), "--batch", str(source), "--workers", "2"]
    batch = subprocess.Popen([*command, "--skip", "benchmark"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not hanging_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert hanging_processes(), "the hanging tests never started"
    assert leftovers(repo, batch.pid)
    os.kill(batch.pid, signal.SIGINT)
    _, stderr = batch.communicate(timeout=60)
    assert batch.returncode == 130, stderr
    assert "interrupted" in stderr
    assert hanging_processes() == []
    assert leftovers(repo, batch.pid) == []
    assert state(repo) == before


def test_usage_errors_are_one_line_and_exit_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "patch": "x"}\nnot json\n')
    assert main(["score", "--repo", str(repo), "--batch", str(bad)]) == 2
    assert capsys.readouterr().err.startswith("rubric score: line 2: not JSON")
    twice = tmp_path / "twice.jsonl"
    twice.write_text('{"id": 1, "patch": "x"}\n{"id": 1, "patch": "y"}\n')
    assert main(["score", "--repo", str(repo), "--batch", str(twice)]) == 2
    assert "appears twice" in capsys.readouterr().err
    good = batch_file(tmp_path, {"a": BROKEN})
    assert main(["score", "--repo", str(repo), "--batch", str(good), "--patch", "-"]) == 2
    assert "exclude each other" in capsys.readouterr().err


def test_ray_engine_without_ray_says_how_to_install_it(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    source = batch_file(tmp_path, {"a": BROKEN})
    assert main(["score", "--repo", str(repo), "--batch", str(source), "--engine", "ray"]) == 2
    err = capsys.readouterr().err
    assert err == "rubric score: the ray engine needs Ray: pip install 'rubric-lsp[ray]'\n"
