"""Output formats: text, SARIF 2.1.0, Markdown and rubric DSL blocks an agent can append."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from support.gitrepo import copy_repo, edit

from rubric_lsp.commands.score import print_text
from rubric_lsp.language.model import Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring import report
from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreResult


@pytest.fixture(scope="module")
def weak(base_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> ScoreResult:
    """A change with a security issue and removed error handling."""
    repo = copy_repo(base_repo, tmp_path_factory.mktemp("weak") / "calc")
    edit(
        repo,
        "calc/core.py",
        'subprocess.run(["ls", path]',
        'subprocess.run(f"ls {path}", shell=True',
    )
    edit(
        repo,
        "calc/core.py",
        "    try:\n        port = int(text)\n    except ValueError as error:\n"
        '        raise ConfigError(f"not a port: {text}") from error\n',
        "    port = int(text)\n",
    )
    return score(repo, enabled={"benchmark": False})


def test_text(weak: ScoreResult) -> None:
    out = io.StringIO()
    print_text(weak, Console(file=out, width=200, soft_wrap=True))
    text = out.getvalue()
    assert "criterion" in text and "weight" in text and "points" in text
    assert "security" in text and "0.50" in text
    # Weights 2 and 2 of 11 lose half: 9/11 = 0.82 >= 0.8, accepted.
    assert "weighted 0.82" in text
    assert "verdict: accepted" in text
    assert "pass  weighted_gte 0.8" in text
    assert "security (bandit):" in text and "Score: 0.5" in text
    assert "calc.rubric (found at the repository root)" in text


def test_sarif(weak: ScoreResult) -> None:
    sarif = json.loads(report.render(weak, "sarif") or "")
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    (run,) = sarif["runs"]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert "security/B602" in rules and "error_handling/handler-removed" in rules
    results = {r["ruleId"]: r for r in run["results"]}
    b602 = results["security/B602"]
    location = b602["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "calc/core.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 28 and location["region"]["startColumn"] == 12
    assert b602["level"] == "error"
    for result in run["results"]:
        assert result["ruleId"] in rules and result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")


def test_markdown(weak: ScoreResult) -> None:
    text = report.to_markdown(weak)
    assert text.startswith("### rubric score: accepted (weighted 0.82, total 35/45)")
    assert "| criterion | weight | score | points | comment |" in text
    assert "| security | 2 | 0.50 | 2.5 |" in text
    assert "<details><summary>security:" in text
    assert "`calc/core.py:28` B602" in text


def test_rubric_blocks_append_to_the_rubric(weak: ScoreResult) -> None:
    blocks = report.to_rubric(weak)
    assert blocks.startswith("score {\n")
    assert "  security 2.5 " in blocks
    assert "\ncritique {\n  revise error_handling " in blocks
    assert "  revise security " in blocks
    appended = Path(weak.rubric).read_text() + "\n" + blocks
    document = parse(appended)
    errors = [d for d in validate(document) if d.severity == Severity.ERROR]
    assert errors == []
    # Only weak criteria are to be revised, weakest first.
    revised = [line.split()[1] for line in blocks.splitlines() if line.strip().startswith("revise")]
    assert revised == [c.name for c in weak.weak]
    assert set(revised) == {"security", "error_handling"}
