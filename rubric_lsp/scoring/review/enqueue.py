"""Queue a result that falls inside ``review_if``: the change, the rubric, what was measured."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from rubric_lsp.scoring.diff import MAX_FILE_BYTES, diff_text, untracked_files
from rubric_lsp.scoring.gitrepo import Repository, git
from rubric_lsp.scoring.result import ScoreResult
from rubric_lsp.scoring.review.queue import ReviewItem, ReviewQueue, item_id, now, text_hash

# git's empty tree: the base of a repository with no commits yet.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


async def working_tree_diff(root: Path, base: str | None) -> str:
    """The working tree's change as one unified diff, untracked files as new files."""
    text = await diff_text(root, base or EMPTY_TREE)
    for path in await untracked_files(root):
        file = root / path
        if file.is_symlink() or not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
            continue
        # --no-index exits 1 when the sides differ, which they always do here.
        done = await git(
            root,
            "diff",
            "--no-index",
            "--no-color",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--",
            "/dev/null",
            path,
            check=False,
        )
        text += done.stdout.decode("utf-8", errors="surrogateescape")
    return text


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
    repo: Repository, result: ScoreResult, patch: bytes | None = None
) -> ScoreResult:
    """Queue the result when ``review_if`` flags it, reading the change it measured."""
    if not result.review:
        return result
    if patch is not None:
        diff = patch.decode("utf-8", errors="surrogateescape")
    else:
        diff = await working_tree_diff(repo.root, result.base)
    return await asyncio.to_thread(queue_item, repo.git_dir, result, diff, repo.root)
