"""Saying, in every critic's result, which changed files were never read and why."""

from __future__ import annotations

from dataclasses import replace

from rubric_lsp.scoring.critic import CriticResult
from rubric_lsp.scoring.diff import ChangeSet


def skipped_files(changes: ChangeSet, limit: int = 5) -> str:
    """The skipped files with their reasons, the first few ("" when none was)."""
    skipped = changes.skipped
    named = "; ".join(f"{f.path} ({f.skipped})" for f in skipped[:limit])
    more = f" and {len(skipped) - limit} more" if len(skipped) > limit else ""
    return named + more


def with_skipped(result: CriticResult, changes: ChangeSet | None) -> CriticResult:
    """The result saying, in its summary and first reason, which files were not read."""
    if changes is None:  # a context without a change (critics tried alone)
        return result
    named = skipped_files(changes)
    if not named:
        return result
    count = len(changes.skipped)
    summary = f"{result.summary}; {count} file(s) skipped, not read: {named}"
    return replace(
        result, summary=summary, reasons=(f"Skipped, not read: {named}.", *result.reasons)
    )
