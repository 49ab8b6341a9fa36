"""Queue a result that falls inside ``review_if``: the change, the rubric, what was measured."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from rubric_lsp.scoring.diff import ChangeSet
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.judge.prompt import read_diff
from rubric_lsp.scoring.result import ScoreResult
from rubric_lsp.scoring.review.queue import ReviewItem, ReviewQueue, item_id, now, text_hash


def _relative(path: str, root: Path | None) -> str:
    """A rubric path relative to the repository root, as the reports give it."""
    if root is None or not Path(path).is_absolute():
        return path
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def item_from_result(result: ScoreResult, diff: str, root: Path | None = None) -> ReviewItem:
    """A queue item holding everything a person needs to judge the result again."""
    rubric_text = result.document.text
    rubric_hash = text_hash(rubric_text)
    criteria = {}
    for name, criterion in result.criteria.items():
        shape = criterion.to_json()
        shape.pop("evidence", None)
        criteria[name] = shape
    return ReviewItem(
        id=item_id(diff, rubric_hash),
        diff=diff,
        rubric=_relative(result.rubric, root),
        rubric_text=rubric_text,
        rubric_hash=rubric_hash,
        base=result.base,
        base_ref=result.base_ref,
        criteria=criteria,
        final_score=None if result.final_score is None else round(result.final_score, 4),
        verdict=result.evaluation.verdict,
        scale=result.document.scale,
        queued=now(),
    )


def queue_item(
    git_dir: Path, result: ScoreResult, diff: str, root: Path | None = None
) -> ScoreResult:
    """Queue a borderline result (once per diff and rubric); the result with its review id."""
    if not result.review:
        return result
    review_id, _ = ReviewQueue(git_dir).add(item_from_result(result, diff, root))
    return replace(result, review_id=review_id)


async def queue_borderline(
    repo: Repository, result: ScoreResult, changes: ChangeSet, patch: bytes | None = None
) -> ScoreResult:
    """Queue the result when ``review_if`` flags it, with the diff of the change it measured."""
    if not result.review:
        return result
    if patch is not None:
        diff = patch.decode("utf-8", errors="surrogateescape")
    else:
        # The diff the judge is shown, of the files that were measured, never cut.
        diff = (await read_diff(changes, limit=sys.maxsize)).text
    return await asyncio.to_thread(queue_item, repo.git_dir, result, diff, repo.root)
