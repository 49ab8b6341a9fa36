"""The JSON Schema of the `rubric score --format json` contract, shipped in the package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_FILE = "score-report.schema.json"


def schema_text() -> str:
    """The schema as it ships, for `rubric schema`."""
    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def report_schema() -> dict[str, Any]:
    """The schema as a JSON object."""
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded
