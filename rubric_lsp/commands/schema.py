"""`rubric schema`: print the JSON Schema of `rubric score --format json`."""

from __future__ import annotations

import sys

from rubric_lsp.scoring.reports.contract import schema_text


def run_schema() -> int:
    """Write the schema to stdout; always 0."""
    sys.stdout.write(schema_text())
    return 0
