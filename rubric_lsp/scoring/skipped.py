"""Saying, in every critic's result, which changed files were never read and why."""

from __future__ import annotations

from dataclasses import replace

from rubric_lsp.language.catalogue import DECLARED
from rubric_lsp.scoring.critic import CriticResult
from rubric_lsp.scoring.diff import ChangeSet
from rubric_lsp.scoring.options import ScoringSettings


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


def reads_changed_files(check: str) -> bool:
    """Whether a check reads each changed file (tests and benchmark run a command instead)."""
    declared = DECLARED.get(check)
    return declared is None or not (declared.executes_code and declared.measured_from is None)


def over_limit(changes: ChangeSet, options: ScoringSettings) -> str:
    """Why the change is too big to read file by file ("" when it is not)."""
    count = len(changes.python_files)
    if not options.max_files or count <= options.max_files:
        return ""
    return (
        f"not measured: the change has {count} changed Python files, over the "
        f"max_files setting of {options.max_files} (raise it, or set 0 for no limit)"
    )
