"""reviewdog's Diagnostic Format (rdjson): columns are 1-based UTF-8 byte counts."""

from __future__ import annotations

from typing import Any

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.issues import LINE_CODES, Issue, issues
from rubric_lsp.scoring.reports.positions import byte_column
from rubric_lsp.scoring.reports.sarif import INFORMATION_URI, help_uri
from rubric_lsp.scoring.reports.sources import Sources

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _range(issue: Issue, lines: tuple[int, int], sources: Sources) -> dict[str, Any]:
    """A range of an issue in rdjson's positions."""
    finding = issue.finding
    start_line, end_line = lines
    if finding.code in LINE_CODES or (finding.column == 0 and finding.end_column is None):
        # Whole lines: reviewdog comments on the lines, columns add nothing.
        return {"start": {"line": start_line}, "end": {"line": end_line}}
    start = byte_column(sources, finding.path, start_line, finding.column) + 1
    found: dict[str, Any] = {"start": {"line": start_line, "column": start}}
    if finding.end_column is not None:
        end = byte_column(sources, finding.path, end_line, finding.end_column) + 1
        found["end"] = {"line": end_line, "column": end}
    else:
        found["end"] = {"line": end_line}
    return found


def _diagnostic(issue: Issue, lines: tuple[int, int], sources: Sources) -> dict[str, Any]:
    finding = issue.finding
    check = issue.criterion.check or "manual"
    rule: dict[str, Any] = {"value": issue.rule_id}
    uri = help_uri(check, finding.code, finding.symbol)
    if uri:
        rule["url"] = uri
    return {
        "message": issue.message,
        "location": {"path": finding.path, "range": _range(issue, lines, sources)},
        "severity": _SEVERITY[finding.severity],
        "source": {"name": f"rubric {check}"},
        "code": rule,
        "original_output": finding.message,
    }


def to_rdjson(result: ScoreResult, sources: Sources | None = None) -> dict[str, Any]:
    """Every issue as rdjson diagnostics; a file's uncovered lines, one per run of lines."""
    sources = sources or Sources(None)
    diagnostics = [
        _diagnostic(issue, lines, sources)
        for issue in issues(result, sources)
        for lines in issue.ranges
    ]
    return {"source": {"name": "rubric", "url": INFORMATION_URI}, "diagnostics": diagnostics}
