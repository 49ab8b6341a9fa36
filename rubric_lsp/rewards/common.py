"""What the trainer adapters share: the patch in a completion, and a result as a reward."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from rubric_lsp.scoring.batch.api import batch_options, collect
from rubric_lsp.scoring.batch.items import BatchItem, BatchResult

# What a reward function gives for a patch whose score could not be measured (it did not
# apply, a check errored or timed out): None (TRL drops it from its sums), NaN, an
# exception, or a number the caller chose on purpose.
UnmeasuredPolicy = Literal["none", "nan", "raise"] | float

_FENCE = re.compile(r"```(?:diff|patch)[^\n]*\n(.*?)```", re.DOTALL)


class RewardError(RuntimeError):
    """A patch's score could not be measured and the policy says to raise."""


def completion_text(completion: Any) -> str:
    """A completion as text: a string, or the last message of a conversation."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        return str(completion.get("content", ""))
    if isinstance(completion, Sequence) and completion:
        return completion_text(completion[-1])
    return ""


def extract_patch(completion: Any) -> str:
    """The unified diff in a completion: its first ```diff block, else the whole text."""
    text = completion_text(completion)
    found = _FENCE.search(text)
    patch = found.group(1) if found else text
    return patch if patch.endswith("\n") else patch + "\n"


def reward_of(result: BatchResult, on_error: UnmeasuredPolicy) -> float | None:
    """A result's final score as a reward, or the policy's answer when it was not measured."""
    if result.measured and result.final_score is not None:
        return result.final_score
    if on_error == "none":
        return None
    if on_error == "nan":
        return float("nan")
    if on_error == "raise":
        raise RewardError(f"patch {result.id!r} could not be scored: {why_unmeasured(result)}")
    return float(on_error)


def why_unmeasured(result: BatchResult) -> str:
    """The reason a result has no reward: its error, or its criteria in error."""
    if result.result is None:
        return result.error or "no result"
    failed = [
        f"{name}: {' '.join(c.steps)}"
        for name, c in result.result.criteria.items()
        if c.status == "error"
    ]
    return "; ".join(failed) or "no criterion was scored"


def check_policy(on_error: Any) -> None:
    """Refuse a policy that is none of the known words or a number."""
    if on_error in ("none", "nan", "raise") or (
        isinstance(on_error, int | float) and not isinstance(on_error, bool)
    ):
        return
    raise ValueError(f"on_error must be 'none', 'nan', 'raise' or a number, not {on_error!r}")


async def score_rows(
    rows: Sequence[tuple[str | Path, str, str | None]],
    rubric: str | Path | None,
    how: Mapping[str, Any],
    settings: Mapping[str, Any],
) -> list[BatchResult]:
    """Score (repository, patch, base) rows, one batch per repository; results in row order."""
    by_repo: dict[str, list[int]] = {}
    for index, (repo, _, _) in enumerate(rows):
        by_repo.setdefault(str(repo), []).append(index)
    results: list[BatchResult | None] = [None] * len(rows)
    for repo, indices in by_repo.items():
        options = batch_options(repo, rubric, **settings)
        items = [BatchItem(i, rows[i][1].encode("utf-8"), rows[i][2]) for i in indices]
        for result in await collect(items, options, **how):
            results[int(result.id)] = result
    return [result for result in results if result is not None]
