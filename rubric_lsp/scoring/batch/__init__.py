"""Many patches on one repository scored together: locally, or on a Ray cluster."""

from __future__ import annotations

from rubric_lsp.scoring.batch.api import iter_scores, score_batch
from rubric_lsp.scoring.batch.items import BatchItem, BatchResult, parse_lines, with_advantages

__all__ = [
    "BatchItem",
    "BatchResult",
    "iter_scores",
    "parse_lines",
    "score_batch",
    "with_advantages",
]
