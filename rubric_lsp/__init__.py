"""rubric-lsp: code-review criteria as a .rubric file, checked and scored."""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

# The one version source is the package's metadata (pyproject.toml's `version`).
try:
    __version__ = metadata.version("rubric-lsp")
except metadata.PackageNotFoundError:  # a copy of the sources that is not installed
    __version__ = "0+unknown"
__all__ = [
    "BatchResult",
    "ScoreResult",
    "ScoringError",
    "__version__",
    "iter_scores",
    "score",
    "score_batch",
    "trl_reward",
    "verifiers_reward",
]

if TYPE_CHECKING:
    from rubric_lsp.rewards import trl_reward, verifiers_reward
    from rubric_lsp.scoring.api import ScoreResult, ScoringError, score
    from rubric_lsp.scoring.batch import BatchResult, iter_scores, score_batch

# Where each lazily imported name lives.
_HOMES = {
    "score": "rubric_lsp.scoring.api",
    "ScoreResult": "rubric_lsp.scoring.api",
    "ScoringError": "rubric_lsp.scoring.api",
    "score_batch": "rubric_lsp.scoring.batch",
    "iter_scores": "rubric_lsp.scoring.batch",
    "BatchResult": "rubric_lsp.scoring.batch",
    "trl_reward": "rubric_lsp.rewards",
    "verifiers_reward": "rubric_lsp.rewards",
}


def __getattr__(name: str) -> Any:
    """Import the scoring API on first use: `import rubric_lsp` stays cheap for the CLI."""
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'rubric_lsp' has no attribute {name!r}")
