"""The Python API: score a change from an agent harness or an RL loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from rubric_lsp.scoring.engine import (
    DEFAULT_HEAL_THRESHOLD,
    ProgressCallback,
    ScoreOptions,
    ScoreResult,
    run_scoring,
)
from rubric_lsp.scoring.proc import ScoringError

__all__ = ["ScoreOptions", "ScoreResult", "ScoringError", "run_scoring", "score"]


def score(
    repo: str | Path = ".",
    rubric: str | Path | None = None,
    base: str = "HEAD",
    patch: str | bytes | Path | None = None,
    *,
    rubric_text: str | None = None,
    trusted: bool = True,
    heal_threshold: float = DEFAULT_HEAL_THRESHOLD,
    enabled: Mapping[str, bool] | None = None,
    timeouts: Mapping[str, float] | None = None,
    use_cache: bool = True,
    progress: ProgressCallback | None = None,
) -> ScoreResult:
    """Score a repository's change (or ``patch``, a unified diff) against a rubric.

    ``patch`` is the diff itself (str or bytes) or a Path to a file holding it; it is applied
    onto ``base`` in a temporary checkout, never in the repository's tree. The result's
    ``final_score`` is the weighted reward in [0, 1]; ``to_json()`` gives the JSON contract.
    Raises ScoringError for usage, configuration and repository problems. From a running
    event loop, await ``run_scoring(ScoreOptions(...))`` instead.
    """
    data: bytes | None
    if isinstance(patch, Path):
        data = patch.read_bytes()
    elif isinstance(patch, str):
        data = patch.encode("utf-8")
    else:
        data = patch
    options = ScoreOptions(
        repo=repo,
        rubric=rubric,
        rubric_text=rubric_text,
        base=base,
        patch=data,
        trusted=trusted,
        heal_threshold=heal_threshold,
        enabled=dict(enabled or {}),
        timeouts=dict(timeouts or {}),
        use_cache=use_cache,
    )
    return asyncio.run(run_scoring(options, progress))
