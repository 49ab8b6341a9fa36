"""The documentation's examples are real: they parse and validate cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rubric_lsp.language.model import Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import CODES, validate

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"```\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    found = []
    for doc in (ROOT / "README.md", ROOT / "docs" / "language.md"):
        for index, block in enumerate(FENCE.findall(doc.read_text())):
            if "reward_rubric {" in block:
                found.append((f"{doc.name}#{index}", block))
    return found


@pytest.mark.parametrize(("name", "text"), _examples(), ids=[n for n, _ in _examples()])
def test_documented_rubrics_have_no_errors(name: str, text: str) -> None:
    errors = [d for d in validate(parse(text)) if d.severity == Severity.ERROR]
    assert errors == [], name


def test_every_code_is_documented() -> None:
    reference = (ROOT / "docs" / "language.md").read_text()
    missing = [code for code in CODES if f"`{code}`" not in reference]
    assert missing == []
