"""A batch from Python: options built like score()'s, results from the local or the Ray engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from rubric_lsp.scoring.batch.items import BatchItem, BatchResult, as_items, with_advantages
from rubric_lsp.scoring.batch.local import score_stream
from rubric_lsp.scoring.engine import ScoreOptions
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.options import SettingError, path_text, setting_fields
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.review.enqueue import queue_item

ENGINES = ("local", "ray")
RAY_HINT = "the ray engine needs Ray: pip install 'rubric-lsp[ray]'"


def batch_options(
    repo: str | Path = ".",
    rubric: str | Path | None = None,
    *,
    rubric_text: str | None = None,
    enabled: Mapping[str, bool] | None = None,
    timeouts: Mapping[str, float] | None = None,
    **settings: Any,
) -> ScoreOptions:
    """The options every patch of a batch is scored with, from score()'s keywords."""
    known = {field.name for field in setting_fields()}
    for name in settings:
        if name not in known or name == "rubric":
            raise TypeError(f"score_batch() got an unexpected keyword argument {name!r}")
    try:
        options = ScoreOptions(
            **settings,
            rubric=path_text(rubric),
            repo=repo,
            rubric_text=rubric_text,
            queue_review=True,
        )
    except SettingError as error:
        raise ScoringError(str(error)) from None
    return attrs.evolve(
        options,
        enabled={**options.enabled, **(enabled or {})},
        timeouts={**options.timeouts, **(timeouts or {})},
    )


async def stream(
    items: Sequence[BatchItem],
    options: ScoreOptions,
    *,
    workers: int | None = None,
    engine: str = "local",
    patch_timeout: float | None = None,
    ray_address: str | None = None,
) -> AsyncIterator[BatchResult]:
    """Each patch's result as it finishes, from the engine named."""
    # Borderline results are queued here, in the repository asked for: a Ray actor's clone
    # is not where people look for them.
    queue = await Repository.find(options.repo) if options.queue_review else None
    workers_options = attrs.evolve(options, queue_review=False)
    if engine == "local":
        results = score_stream(items, workers_options, workers, patch_timeout)
    elif engine == "ray":
        from rubric_lsp.scoring.batch.ray_engine import ray_stream

        results = ray_stream(items, workers_options, workers, patch_timeout, ray_address)
    else:
        raise ScoringError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    async for result in results:
        if queue is not None and result.result is not None and result.result.review:
            diff = items[result.index].patch.decode("utf-8", errors="surrogateescape")
            scored = await asyncio.to_thread(
                queue_item, queue.git_dir, result.result, diff, queue.root
            )
            result = attrs.evolve(result, result=scored)
        yield result


async def collect(
    items: Sequence[BatchItem],
    options: ScoreOptions,
    *,
    group_advantages: bool = False,
    **how: Any,
) -> list[BatchResult]:
    """Every result in input order, with advantages when asked."""
    results = [result async for result in stream(items, options, **how)]
    results.sort(key=lambda result: result.index)
    return with_advantages(results) if group_advantages else results


async def iter_scores(
    repo: str | Path,
    patches: Sequence[Any],
    rubric: str | Path | None = None,
    *,
    workers: int | None = None,
    engine: str = "local",
    patch_timeout: float | None = None,
    ray_address: str | None = None,
    **settings: Any,
) -> AsyncIterator[BatchResult]:
    """Score patches as an async iterator, in completion order: overlap it with generation.

    ``patches``: unified diffs (str or bytes; ids are their positions), dicts like the input
    lines of ``rubric score --batch`` (``{"id", "patch", "base", "group"}``) or BatchItems.
    """
    options = batch_options(repo, rubric, **settings)
    results = stream(
        as_items(patches),
        options,
        workers=workers,
        engine=engine,
        patch_timeout=patch_timeout,
        ray_address=ray_address,
    )
    async for result in results:
        yield result


def score_batch(
    repo: str | Path,
    patches: Sequence[Any],
    rubric: str | Path | None = None,
    *,
    workers: int | None = None,
    engine: str = "local",
    group_advantages: bool = False,
    patch_timeout: float | None = None,
    ray_address: str | None = None,
    **settings: Any,
) -> list[BatchResult]:
    """Score a group of patches on one repository; results in input order.

    Each result has ``id``, ``result`` (a ScoreResult) or ``error`` (why the patch could not
    be scored), ``final_score`` and, with ``group_advantages``, ``advantage``. ``engine`` is
    "local" (``workers`` at once, default one per core) or "ray" (``ray_address``: a running
    cluster; none: a local one). Keywords are those of ``rubric_lsp.score``.
    """
    options = batch_options(repo, rubric, **settings)
    return asyncio.run(
        collect(
            as_items(patches),
            options,
            group_advantages=group_advantages,
            workers=workers,
            engine=engine,
            patch_timeout=patch_timeout,
            ray_address=ray_address,
        )
    )
