"""`rubric mcp` through the SDK's stdio client: the tools answer as the CLI does, harmlessly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from support.agent_mcp import (
    cli_report,
    mcp_session,
    rubric_cli,
    settle,
    text_of,
    weaken,
    without_timing,
)
from support.gitrepo import edit, git, state

# The benchmark's timings differ from run to run: the runs compared leave it out.
SKIP = {"skip": ["benchmark"]}
TOOLS = {"rubric_prompt", "score", "weak_criteria", "critique", "check_rubric"}


async def test_a_trusted_server_scores_as_the_cli_and_leaves_the_tree_alone(repo: Path) -> None:
    weaken(repo)
    settle(repo)
    before = state(repo)
    progress: list[tuple[float, float | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total))

    async with mcp_session(repo, "--trusted", "--no-cache") as session:
        listed = await session.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        served = json.loads(
            text_of(await session.call_tool("score", SKIP, progress_callback=on_progress))
        )
        weak = json.loads(text_of(await session.call_tool("weak_criteria", SKIP)))
        critique = json.loads(text_of(await session.call_tool("critique", SKIP)))
    assert state(repo) == before
    expected = cli_report(repo, "--no-cache", "--skip", "benchmark")
    assert without_timing(served) == without_timing(expected)
    assert served["criteria"]["correctness"]["status"] == "scored"
    # One notification per finished check, the last one at the total.
    assert progress and progress[-1][0] == progress[-1][1]

    names = [criterion["name"] for criterion in weak["weak"]]
    assert {"security", "docs"} <= set(names)
    gains = [criterion["gain"] for criterion in weak["weak"]]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    security = next(c for c in weak["weak"] if c["name"] == "security")
    assert security["findings"] and security["findings"][0]["path"] == "calc/core.py"
    assert critique["critique"].startswith("critique {")
    assert "revise security" in critique["critique"]
    assert critique["rescore"].startswith("rescore {")


async def test_prompt_resource_and_rubric_check(repo: Path) -> None:
    async with mcp_session(repo) as session:
        prompt = text_of(await session.call_tool("rubric_prompt", {}))
        as_json = text_of(await session.call_tool("rubric_prompt", {"output_format": "json"}))
        resources = await session.list_resources()
        (resource,) = resources.resources
        content = await session.read_resource(resource.uri)
        broken = json.loads(
            text_of(
                await session.call_tool(
                    "check_rubric", {"text": "reward_rubric {\n  criterion x weight=\n"}
                )
            )
        )
        clean = json.loads(
            text_of(
                await session.call_tool(
                    "check_rubric", {"text": (repo / "calc.rubric").read_text()}
                )
            )
        )
    assert prompt == rubric_cli("prompt", "--repo", str(repo)).stdout
    assert json.loads(as_json)["criteria"][0]["name"] == "correctness"
    assert content.contents[0].text == (repo / "calc.rubric").read_text()
    assert broken and broken[0]["severity"] == "error" and broken[0]["line"] >= 1
    assert [d for d in clean if d["severity"] == "error"] == []


async def test_a_patch_is_scored_as_the_cli_scores_it(repo: Path) -> None:
    weaken(repo)
    patch = git(repo, "diff")
    git(repo, "checkout", "--", ".")
    settle(repo)
    before = state(repo)
    async with mcp_session(repo, "--no-cache") as session:
        served = json.loads(
            text_of(await session.call_tool("score", {"patch": patch, "skip": ["benchmark"]}))
        )
    assert state(repo) == before
    (repo.parent / "change.diff").write_text(patch)
    expected = cli_report(
        repo,
        "--untrusted",
        "--no-cache",
        "--skip",
        "benchmark",
        "--patch",
        str(repo.parent / "change.diff"),
    )
    assert without_timing(served) == without_timing(expected)
    assert served["criteria"]["security"]["score"] < 1
    assert served["trusted"] is False


async def test_an_untrusted_server_runs_none_of_the_workspaces_code(repo: Path) -> None:
    marker = repo.parent / "ran"
    program = f"open('{marker}', 'w')"
    edit(
        repo,
        "calc.rubric",
        'benchmark command="python bench.py" repeat=3',
        f'tests command="python -c \\"{program}\\""\n'
        f'  benchmark command="python -c \\"{program}\\""',
    )
    (repo / "conftest.py").write_text(f"{program}\n")
    weaken(repo)
    async with mcp_session(repo, "--no-cache") as session:
        served = json.loads(text_of(await session.call_tool("score", {})))
        unknown = await session.call_tool("score", {"only": ["nonsense"]})
    assert not marker.exists()
    for name in ("correctness", "tests", "performance"):
        assert served["criteria"][name]["status"] == "skipped"
    assert served["criteria"]["security"]["status"] == "scored"
    assert unknown.is_error and "unknown check 'nonsense'" in str(unknown.content)
