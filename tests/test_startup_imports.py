"""Start-up stays light: libraries only some runs need are imported when those runs start."""

from __future__ import annotations

import subprocess
import sys

import pytest

# The judge's client library takes seconds to import; a server or a run without judged
# criteria must not pay for it.
HEAVY = ("openai", "ray")


@pytest.mark.parametrize(
    "entry",
    ["rubric_lsp.lsp.main", "rubric_lsp.commands.score", "rubric_lsp.scoring.engine"],
)
def test_entry_points_do_not_import_optional_heavy_libraries(entry: str) -> None:
    probe = f"import sys, {entry}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout
