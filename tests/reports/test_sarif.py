"""SARIF as GitHub code scanning takes it: valid 2.1.0, stable fingerprints, help, severities."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.gitrepo import copy_repo, write

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports import render
from rubric_lsp.scoring.reports.sarif import FINGERPRINT_KEY, to_sarif
from rubric_lsp.scoring.reports.sources import Sources

SCHEMA = Path(__file__).parents[1] / "data" / "schemas" / "sarif-schema-2.1.0.json"


def run_of(result: ScoreResult, sources: Sources) -> dict[str, Any]:
    """The one run of the result's SARIF log, through the renderer `rubric score` uses."""
    log = json.loads(render(result, "sarif", sources))
    (run,) = log["runs"]
    return dict(run)


def test_sarif_is_valid_against_the_oasis_schema(result: ScoreResult, sources: Sources) -> None:
    log = json.loads(render(result, "sarif", sources))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    assert log["runs"][0]["results"], "the fixture change has findings"


def test_every_result_has_a_fingerprint_and_an_end(result: ScoreResult, sources: Sources) -> None:
    run = run_of(result, sources)
    for found in run["results"]:
        assert found["partialFingerprints"][FINGERPRINT_KEY], found
        region = found["locations"][0]["physicalLocation"]["region"]
        assert region["endLine"] >= region["startLine"], found
        assert (
            region["endColumn"] > region["startColumn"] or region["endLine"] > region["startLine"]
        )
    fingerprints = [f["partialFingerprints"][FINGERPRINT_KEY] for f in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_every_rule_has_help_and_a_level(result: ScoreResult, sources: Sources) -> None:
    rules = {rule["id"]: rule for rule in run_of(result, sources)["tool"]["driver"]["rules"]}
    for rule in rules.values():
        assert rule["help"]["text"] and rule["help"]["markdown"], rule
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note"), rule
    assert rules["security/B602"]["helpUri"].endswith(
        "/plugins/b602_subprocess_popen_with_shell_equals_true.html"
    )
    assert rules["naming/C0103"]["helpUri"] == (
        "https://pylint.readthedocs.io/en/stable/user_guide/messages/convention/invalid-name.html"
    )


def test_bandit_rules_are_security_alerts_rated_by_severity_and_confidence(
    result: ScoreResult, sources: Sources
) -> None:
    rules = {rule["id"]: rule for rule in run_of(result, sources)["tool"]["driver"]["rules"]}
    b602 = rules["security/B602"]["properties"]
    # HIGH severity, HIGH confidence: GitHub's "high" band (7.0 to 8.9).
    assert "security" in b602["tags"] and b602["security-severity"] == "8.9"
    assert all(
        "security-severity" not in r["properties"] for i, r in rules.items() if i != "security/B602"
    )


def test_uncovered_lines_are_one_result_per_file(result: ScoreResult, sources: Sources) -> None:
    uncovered = [
        r for r in run_of(result, sources)["results"] if r["ruleId"] == "tests/not-covered"
    ]
    assert len(uncovered) == 1, uncovered
    (found,) = uncovered
    assert "3 changed line(s) not run by the tests: lines 6-8" in found["message"]["text"]
    region = found["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (6, 8)


def test_a_finding_listed_by_two_criteria_is_one_result(
    result: ScoreResult, sources: Sources
) -> None:
    naming = result.criteria["naming"]
    architecture = result.criteria["architecture"]
    twice = dataclasses.replace(architecture, findings=(*architecture.findings, *naming.findings))
    doubled = dataclasses.replace(result, criteria={**result.criteria, "architecture": twice})
    results = to_sarif(doubled, sources)["runs"][0]["results"]
    places = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["ruleId"].split("/")[1],
        )
        for r in results
    ]
    assert len(places) == len(set(places))
    assert [r["ruleId"] for r in results if r["ruleId"].endswith("/C0103")] == ["naming/C0103"]


@pytest.fixture(scope="module")
def moved(
    change_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ScoreResult, Sources]:
    """The same change with every finding a few lines further down its file."""
    repo = copy_repo(change_repo, tmp_path_factory.mktemp("moved") / "calc")
    for name in ("calc/core.py", "calc/__init__.py", "tests/test_hostile.py"):
        text = (repo / name).read_text()
        write(repo, name, "# moved\n# down\n# three lines\n" + text)
    return score(repo, enabled={"benchmark": False}), Sources(repo)


def test_fingerprints_are_the_same_in_another_run_after_lines_moved(
    result: ScoreResult, sources: Sources, moved: tuple[ScoreResult, Sources]
) -> None:
    def fingerprints(run: dict[str, Any]) -> dict[str, tuple[str, int]]:
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in run["results"]
        }

    before, after = fingerprints(run_of(result, sources)), fingerprints(run_of(*moved))
    assert set(before) == set(after)
    # The lines did move: the fingerprints hold without them.
    assert all(after[key][1] == before[key][1] + 3 for key in before)
