"""rubric-lsp: code-review criteria as a .rubric file, checked and scored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["ScoreResult", "ScoringError", "__version__", "score"]

if TYPE_CHECKING:
    from rubric_lsp.scoring.api import ScoreResult, ScoringError, score


def __getattr__(name: str) -> Any:
    """Import the scoring API on first use: `import rubric_lsp` stays cheap for the CLI."""
    if name in ("score", "ScoreResult", "ScoringError"):
        from rubric_lsp.scoring import api

        return getattr(api, name)
    raise AttributeError(f"module 'rubric_lsp' has no attribute {name!r}")
