"""Score results in every format but text (commands/score prints that): one module a format."""

from __future__ import annotations

import json

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.dsl import to_rubric
from rubric_lsp.scoring.reports.github import to_github
from rubric_lsp.scoring.reports.gitlab import to_gitlab
from rubric_lsp.scoring.reports.markdown import to_markdown
from rubric_lsp.scoring.reports.rdjson import to_rdjson
from rubric_lsp.scoring.reports.sarif import to_sarif
from rubric_lsp.scoring.reports.sources import Sources

FORMATS = ("text", "json", "sarif", "markdown", "rubric", "rdjson", "github", "gitlab")


def to_json(result: ScoreResult) -> str:
    """The JSON contract, indented."""
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False)


def _dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(
    result: ScoreResult,
    output_format: str,
    sources: Sources | None = None,
    rubric: str | None = None,
) -> str:
    """The result in one of the formats but text; ``sources`` reads the repository's files."""
    if output_format == "json":
        return to_json(result) + "\n"
    if output_format == "sarif":
        return _dumps(to_sarif(result, sources))
    if output_format == "markdown":
        return to_markdown(result, rubric)
    if output_format == "rubric":
        return to_rubric(result)
    if output_format == "rdjson":
        return _dumps(to_rdjson(result, sources))
    if output_format == "github":
        return to_github(result, sources)
    if output_format == "gitlab":
        return _dumps(to_gitlab(result, sources))
    raise ValueError(f"no renderer for the {output_format!r} format")
