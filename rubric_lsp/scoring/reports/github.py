"""GitHub Actions workflow commands: one annotation per issue, shown on the pull request."""

from __future__ import annotations

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.common import plain, verdict
from rubric_lsp.scoring.reports.issues import LINE_CODES, issues
from rubric_lsp.scoring.reports.sources import Sources

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """A command's message, escaped as the runner reads it."""
    return plain(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A command's property value: its separators escaped too."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(result: ScoreResult, sources: Sources | None = None) -> str:
    """``::error file=...,line=...,title=criterion/code::message`` lines, then the verdict."""
    lines: list[str] = []
    for issue in issues(result, sources):
        finding = issue.finding
        for start, end in issue.ranges:
            where = f"file={_property(finding.path)},line={start}"
            if end != start:
                where += f",endLine={end}"
            whole = finding.code in LINE_CODES or (
                finding.column == 0 and finding.end_column is None
            )
            if not whole:
                # Columns are 1-based characters, as the runner shows them.
                where += f",col={finding.column + 1}"
                if finding.end_column is not None and end == start:
                    where += f",endColumn={finding.end_column + 1}"
            command = _COMMAND[finding.severity]
            lines.append(
                f"::{command} {where},title={_property(issue.rule_id)}::{_data(issue.message)}"
            )
    final = "-" if result.final_score is None else f"{result.final_score:.2f}"
    # The verdict carries tools' reasons: one plain line, so none of it is read as a command.
    summary = " ".join(plain(verdict(result)).split())
    lines.append(f"rubric score: {summary} (weighted {final})")
    return "\n".join(lines) + "\n"
