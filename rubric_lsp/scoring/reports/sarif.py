"""SARIF 2.1.0 for code scanning: stable fingerprints, rule help, security severities."""

from __future__ import annotations

import re
from typing import Any

from rubric_lsp import __version__
from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.common import describe_ranges
from rubric_lsp.scoring.reports.issues import LINE_CODES, Issue, issues
from rubric_lsp.scoring.reports.sources import Sources

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/rubric-lsp/"
# The key GitHub reads partial fingerprints under is free; a version lets the scheme change.
FINGERPRINT_KEY = "rubricFinding/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
# GitHub files an alert by security-severity: 9.0+ critical, 7.0+ high, 4.0+ medium, else low.
# Bandit's severity sets the band and its confidence scales within it.
_SEVERITY_SCORE = {"HIGH": 8.9, "MEDIUM": 6.0, "LOW": 3.0}
_CONFIDENCE_SCALE = {"HIGH": 1.0, "MEDIUM": 0.8, "LOW": 0.5}
_BANDIT_RATING = re.compile(r"\(severity (HIGH|MEDIUM|LOW), confidence (HIGH|MEDIUM|LOW)\)$")
_PYLINT_CATEGORY = {
    "C": "convention",
    "R": "refactor",
    "W": "warning",
    "E": "error",
    "F": "fatal",
    "I": "information",
}
_PYLINT_CODE = re.compile(r"[CRWEFI]\d{4}")


def help_uri(check: str, code: str, symbol: str) -> str | None:
    """The page of the tool's own documentation for a code, when the tool has one."""
    if check in ("pylint", "naming") and _PYLINT_CODE.fullmatch(code) and symbol:
        category = _PYLINT_CATEGORY[code[0]]
        return (
            f"https://pylint.readthedocs.io/en/stable/user_guide/messages/{category}/{symbol}.html"
        )
    if check == "bandit" and symbol:
        return f"https://bandit.readthedocs.io/en/latest/plugins/{code.lower()}_{symbol}.html"
    return None


def security_severity(message: str) -> float | None:
    """A bandit finding's severity times confidence on GitHub's 0-10 scale; None for others."""
    rating = _BANDIT_RATING.search(message)
    if rating is None:
        return None
    severity, confidence = rating.groups()
    return round(_SEVERITY_SCORE[severity] * _CONFIDENCE_SCALE[confidence], 1)


def _rule(issue: Issue) -> dict[str, Any]:
    """The reportingDescriptor of an issue's rule."""
    criterion, finding = issue.criterion, issue.finding
    check = criterion.check or "manual"
    about = BUILTIN_CHECKS.get(check, check)
    uri = help_uri(check, finding.code, finding.symbol)
    text = f"{finding.label}, measured by the `{check}` check for the criterion `{criterion.name}`."
    markdown = f"**{finding.label}** ({check}): {about}"
    if uri:
        text += f" See {uri}"
        markdown += f"\n\n[Documentation of {finding.code}]({uri})"
    rule: dict[str, Any] = {
        "id": issue.rule_id,
        "name": finding.symbol or finding.code,
        "shortDescription": {"text": f"{criterion.name}: {finding.label}"},
        "fullDescription": {"text": about},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {"criterion": criterion.name, "check": check, "tags": [criterion.name]},
    }
    if uri:
        rule["helpUri"] = uri
    return rule


def _region(issue: Issue, first: tuple[int, int], sources: Sources) -> dict[str, Any]:
    """Where a range of an issue is: columns from the finding, else the line's own text."""
    finding = issue.finding
    start, end = first
    region: dict[str, Any] = {"startLine": max(start, 1), "endLine": max(end, start, 1)}
    whole_lines = finding.code in LINE_CODES or (finding.column == 0 and finding.end_column is None)
    if whole_lines:
        text = sources.line(finding.path, start)
        last = sources.line(finding.path, end)
        if text is not None and last is not None:
            region["startColumn"] = len(text) - len(text.lstrip()) + 1
            region["endColumn"] = len(last) + 1
        return region
    region["startColumn"] = finding.column + 1
    if finding.end_column is not None and (end > start or finding.end_column > finding.column):
        region["endColumn"] = finding.end_column + 1
    else:
        text = sources.line(finding.path, end)
        if text is not None and len(text) > finding.column:
            region["endColumn"] = len(text) + 1
    return region


def _location(issue: Issue, region: dict[str, Any]) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": issue.finding.path, "uriBaseId": "%SRCROOT%"},
            "region": region,
        }
    }


def _result(issue: Issue, rule_index: int, sources: Sources) -> dict[str, Any]:
    """One SARIF result; a file's lines of a line code carry every range as related places."""
    criterion = issue.criterion.name
    result: dict[str, Any] = {
        "ruleId": issue.rule_id,
        "ruleIndex": rule_index,
        "level": _LEVEL[issue.finding.severity],
        "message": {"text": f"{issue.message} ({criterion}, -{issue.penalty:.2f} of its score)"},
        "locations": [_location(issue, _region(issue, issue.ranges[0], sources))],
        "partialFingerprints": {FINGERPRINT_KEY: issue.fingerprint},
        "properties": {"criterion": criterion, "penalty": round(issue.penalty, 4)},
    }
    if len(issue.ranges) > 1:
        result["relatedLocations"] = [
            {
                "id": number,
                **_location(issue, _region(issue, lines, sources)),
                "message": {"text": describe_ranges((lines,))},
            }
            for number, lines in enumerate(issue.ranges)
        ]
    return result


def to_sarif(result: ScoreResult, sources: Sources | None = None) -> dict[str, Any]:
    """Findings that cost points as SARIF 2.1.0 results, for code-scanning upload."""
    sources = sources or Sources(None)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for issue in issues(result, sources):
        rule = rules.get(issue.rule_id)
        if rule is None:
            rule = rules[issue.rule_id] = _rule(issue)
        severity = security_severity(issue.finding.message)
        if severity is not None:
            properties = rule["properties"]
            if "security" not in properties["tags"]:
                properties["tags"].append("security")
            # A rule's alerts are filed at the worst rating among its findings.
            properties["security-severity"] = str(
                max(severity, float(properties.get("security-severity", 0)))
            )
        index = list(rules).index(issue.rule_id)
        results.append(_result(issue, index, sources))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rubric",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                # Findings count characters (code points), as the JSON report does.
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "final_score": result.final_score,
                    "accepted": result.accepted,
                    "review": result.review,
                },
            }
        ],
    }
