"""GitLab Code Quality JSON (a subset of Code Climate's issue format)."""

from __future__ import annotations

from typing import Any

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.issues import issues
from rubric_lsp.scoring.reports.sources import Sources

# GitLab's severities: info, minor, major, critical, blocker.
_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
# Code Climate's categories, by the check that found the issue.
_CATEGORY = {
    "bandit": "Security",
    "tests": "Bug Risk",
    "coverage": "Bug Risk",
    "error_handling": "Bug Risk",
    "complexity": "Complexity",
    "docstrings": "Clarity",
    "benchmark": "Performance",
}


def to_gitlab(result: ScoreResult, sources: Sources | None = None) -> list[dict[str, Any]]:
    """One Code Quality issue per issue; the fingerprint is the SARIF one, stable across runs."""
    report: list[dict[str, Any]] = []
    for issue in issues(result, sources):
        finding = issue.finding
        report.append(
            {
                "type": "issue",
                "check_name": issue.rule_id,
                "description": f"{issue.rule_id}: {issue.message}",
                "categories": [_CATEGORY.get(issue.criterion.check or "", "Style")],
                "severity": _SEVERITY[finding.severity],
                "fingerprint": issue.fingerprint,
                "location": {
                    "path": finding.path,
                    "lines": {"begin": issue.ranges[0][0], "end": issue.ranges[-1][1]},
                },
            }
        )
    return report
