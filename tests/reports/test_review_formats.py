"""rdjson for reviewdog, GitHub workflow commands and GitLab Code Quality from one change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports import github, render
from rubric_lsp.scoring.reports.sources import Sources

RDJSON_SCHEMA = Path(__file__).parents[1] / "data" / "schemas" / "rdjson-DiagnosticResult.json"


def test_rdjson_is_valid_against_reviewdogs_schema(result: ScoreResult, sources: Sources) -> None:
    report = json.loads(render(result, "rdjson", sources))
    jsonschema.Draft4Validator(json.loads(RDJSON_SCHEMA.read_text())).validate(report)
    codes = {d["code"]["value"] for d in report["diagnostics"]}
    assert {"security/B602", "naming/C0103", "tests/not-covered"} <= codes


def test_rdjson_columns_are_1_based_utf8_bytes(
    result: ScoreResult, sources: Sources, change_repo: Path
) -> None:
    report = json.loads(render(result, "rdjson", sources))
    (statement,) = [d for d in report["diagnostics"] if d["code"]["value"].endswith("/C0321")]
    line = (change_repo / "calc/__init__.py").read_text().splitlines()[10]
    start = statement["location"]["range"]["start"]
    # After `"ü"` (two bytes in UTF-8) the byte column is one past the character column.
    finding = next(f for f in result.criteria["architecture"].findings if f.code == "C0321")
    assert line[finding.column] == "Д"
    assert start == {"line": 11, "column": finding.column + 2}
    end = statement["location"]["range"]["end"]
    assert end["column"] == len(line[: finding.end_column].encode()) + 1


def test_github_annotations_name_file_line_column_and_rule(
    result: ScoreResult, sources: Sources
) -> None:
    lines = render(result, "github", sources).splitlines()
    assert (
        "::error file=calc/core.py,line=31,col=12,endColumn=96,title=security/B602::"
        "subprocess call with shell=True identified, security issue. "
        "(severity HIGH, confidence HIGH)"
    ) in lines
    assert (
        "::notice file=calc/__init__.py,line=6,endLine=8,title=tests/not-covered::"
        "3 changed line(s) not run by the tests: lines 6-8"
    ) in lines
    annotation = re.compile(
        r"::(error|warning|notice) file=[^,:]+,line=\d+(,[a-zA-Z]+=\d+)*,title=[^:,]+::.+"
    )
    commands = [line for line in lines if line.startswith("::")]
    assert commands and all(annotation.fullmatch(line) for line in commands), commands
    assert lines[-1].startswith("rubric score: rejected")


def test_a_reason_in_the_github_verdict_cannot_start_a_workflow_command(
    result: ScoreResult, sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An undecided verdict quotes a tool's reason, which the repository's own output can shape.
    reason = "undecided (minimum correctness 4: error: boom\n::add-mask::x\r\n\x1b[2Jthere)"
    monkeypatch.setattr(github, "verdict", lambda _: reason)
    last = render(result, "github", sources).splitlines()[-1]
    assert last.startswith("rubric score: undecided (minimum correctness 4: error: boom ::add-mask")
    assert "\x1b" not in last and "there) (weighted" in last


def test_gitlab_code_quality_issues(result: ScoreResult, sources: Sources) -> None:
    report = json.loads(render(result, "gitlab", sources))
    assert isinstance(report, list) and report
    for issue in report:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] and issue["location"]["lines"]["begin"] >= 1
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints)
    (bandit,) = [i for i in report if i["check_name"] == "security/B602"]
    assert bandit["categories"] == ["Security"] and bandit["severity"] == "major"
