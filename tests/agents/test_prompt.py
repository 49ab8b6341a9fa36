"""`rubric prompt`: the rubric as an agent's instructions, the same bytes every time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.agent_mcp import rubric_cli

from rubric_lsp.agents import measures
from rubric_lsp.agents.prompt import FORMATS, build, render
from rubric_lsp.language.catalogue import CATALOGUE
from rubric_lsp.language.parser import parse

ROOT = Path(__file__).resolve().parents[2]

RUBRIC = """\
task {
  title "parse ports"
  objective "reject ports out of range"
  constraints "no new dependencies"
}
reward_rubric {
  criterion correctness weight=3 describe="every port from 1 to 65535 parses"
  criterion security weight=1
  criterion clarity weight=1 check=manual
  criterion style weight=1
}
checks {
  tests command="python -m pytest -q tests"
  pylint enabled=false
}
accept_if {
  weighted_gte 0.85
  minimum correctness 4
  total_gte 15
}
review_if {
  weighted_between 0.5 0.7
}
critique {
  revise security "old advice"
}
critique {
  revise correctness "test port 0"
}
"""


def _prompt(output_format: str, with_critique: bool = False) -> str:
    document = parse(RUBRIC)
    return render(build(document, "ports.rubric", with_critique), output_format)  # type: ignore[arg-type]


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_same_rubric_gives_the_same_bytes(output_format: str) -> None:
    first = rubric_cli("prompt", "--repo", str(ROOT), "--format", output_format)
    second = rubric_cli("prompt", "--repo", str(ROOT), "--format", output_format)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and first.stdout.endswith("\n")
    assert "rubric-lsp.rubric" in first.stdout and str(ROOT) not in first.stdout


def test_every_criterion_with_weight_describe_check_and_cost() -> None:
    text = _prompt("markdown")
    assert "# Rubric: parse ports" in text
    assert "Objective: reject ports out of range" in text and "- no new dependencies" in text
    assert "### correctness (weight 3, 50% of the weighted score)" in text
    assert "every port from 1 to 65535 parses" in text
    assert "Command: `python -m pytest -q tests`" in text
    assert f"Score: `{measures.COSTS['tests']}`" in text
    assert f"Score: `{measures.COSTS['bandit']}`" in text
    assert "Runs the project's code" in text.split("### security")[0]
    clarity = text.split("### clarity")[1].split("###")[0]
    assert "Scored by hand" in clarity and "Score:" not in clarity
    assert "Turned off in the checks block" in text.split("### style")[1]
    assert "Critique" not in text


def test_the_acceptance_rule_in_words() -> None:
    data = json.loads(_prompt("json"))
    words = {rule["rule"]: rule["words"] for rule in data["accept_if"]}
    assert words["weighted_gte 0.85"] == "the weighted score is at least 0.85"
    assert words["minimum correctness 4"].startswith(
        "correctness has at least 4 points on 0..5 (a score of 0.80)"
    )
    assert words["total_gte 15"] == "the points of all criteria add up to at least 15 of 20"
    assert data["review_if"] == [
        {"rule": "weighted_between 0.5 0.7", "words": "the weighted score lies between 0.5 and 0.7"}
    ]
    assert data["critique"] is None


def test_with_critique_appends_the_latest_critique_block() -> None:
    text = _prompt("text", with_critique=True)
    assert text.endswith("Critique to address\n-------------------\n\n- correctness: test port 0\n")
    assert "old advice" not in text
    assert json.loads(_prompt("json", True))["critique"] == [
        {"criterion": "correctness", "advice": "test port 0"}
    ]


def test_an_invalid_rubric_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.rubric").write_text("reward_rubric {\n  criterion x weight=\n")
    done = rubric_cli("prompt", "--repo", str(tmp_path))
    assert done.returncode == 2 and done.stderr.startswith("rubric prompt: ")


def _docs_score_column() -> dict[str, str]:
    table = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| .* \| (.*) \|$", table, flags=re.MULTILINE)
    return dict(rows)


def test_every_check_cost_is_the_one_docs_scoring_md_gives() -> None:
    documented = _docs_score_column()
    for check in CATALOGUE:
        assert check.name in measures.COSTS, check.name
        assert measures.COSTS[check.name] in documented[check.name], check.name


def test_docs_show_the_prompt_of_the_projects_own_rubric() -> None:
    docs = (ROOT / "docs" / "agents.md").read_text(encoding="utf-8")
    shown = docs.split("<!-- rubric prompt: begin -->\n````markdown\n")[1].split("````\n")[0]
    assert shown == rubric_cli("prompt", "--repo", str(ROOT)).stdout


def test_agents_import_no_protocol_code_but_the_mcp_server() -> None:
    import ast

    for path in sorted((ROOT / "rubric_lsp" / "agents").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        ]
        roots = {str(name).split(".")[0] for name in names if name}
        assert not roots & {"pygls", "lsprotocol"}, path.name
        if path.name != "mcp_server.py":
            assert "mcp" not in roots, path.name
