"""The report formats' entry point, kept for its importers: see ``scoring/reports/``."""

from __future__ import annotations

from rubric_lsp.scoring.reports import FORMATS, render, to_json
from rubric_lsp.scoring.reports.common import cell, comment, plain, verdict
from rubric_lsp.scoring.reports.dsl import critique_block, score_block, to_rubric
from rubric_lsp.scoring.reports.markdown import to_markdown
from rubric_lsp.scoring.reports.sarif import SARIF_SCHEMA, to_sarif

__all__ = [
    "FORMATS",
    "SARIF_SCHEMA",
    "cell",
    "comment",
    "critique_block",
    "plain",
    "render",
    "score_block",
    "to_json",
    "to_markdown",
    "to_rubric",
    "to_sarif",
    "verdict",
]
