"""rubric-lsp: code-review criteria as a .rubric file, checked and scored."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

# The one version source is the package's metadata (pyproject.toml's `version`).
try:
    __version__ = metadata.version("rubric-lsp")
except metadata.PackageNotFoundError:  # a copy of the sources that is not installed
    __version__ = "0+unknown"
__all__ = ["ScoreResult", "ScoringError", "__version__", "score"]

if TYPE_CHECKING:
    from rubric_lsp.scoring.api import ScoreResult, ScoringError, score


def __getattr__(name: str) -> Any:
    """Import the scoring API on first use: `import rubric_lsp` stays cheap for the CLI."""
    if name in ("score", "ScoreResult", "ScoringError"):
        from rubric_lsp.scoring import api

        return getattr(api, name)
    raise AttributeError(f"module 'rubric_lsp' has no attribute {name!r}")
