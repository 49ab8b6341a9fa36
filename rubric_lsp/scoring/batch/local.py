"""The local engine: a batch's patches scored a few at a time, each worker warm and reused."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
from collections.abc import AsyncIterator, Sequence

import attrs

from rubric_lsp.scoring.batch.checkout import ReusedCheckout
from rubric_lsp.scoring.batch.items import BatchItem, BatchResult
from rubric_lsp.scoring.engine import ScoreOptions, run_scoring
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.pylint_worker import PylintWorker

_log = logging.getLogger(__name__)
_log.addHandler(logging.NullHandler())

# A worker's checkout and pylint are made anew after this many patches: memory stays bounded
# even where astroid's caches grow below the pylint worker's own limits.
RECYCLE_AFTER = 100


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Worker:
    """One patch at a time, with a warm pylint and a checkout of the base kept between patches."""

    def __init__(self, options: ScoreOptions, patch_timeout: float | None = None) -> None:
        self.options = options
        self.patch_timeout = patch_timeout
        self.pylint = PylintWorker()
        self.checkout = ReusedCheckout()
        self.scored = 0

    async def score(self, item: BatchItem, index: int) -> BatchResult:
        """Score one patch; whatever goes wrong becomes this patch's error, never the batch's."""
        if self.scored and self.scored % RECYCLE_AFTER == 0:
            await self.close()
        self.scored += 1
        run = attrs.evolve(
            self.options,
            patch=item.patch,
            base=item.base or self.options.base,
            pylint_runner=self.pylint,
            checkout=self.checkout,
        )
        error: str
        try:
            async with asyncio.timeout(self.patch_timeout):
                result = await run_scoring(run)
            return BatchResult(item.id, index, result=result, group=item.group)
        except TimeoutError:
            error = f"timed out after {self.patch_timeout:g} s"
        except ScoringError as failure:
            error = str(failure)
        except Exception as failure:  # one patch's crash must not cost the others
            _log.exception("scoring patch %r crashed", item.id)
            error = f"scoring failed: {type(failure).__name__}: {failure}"
        return BatchResult(item.id, index, error=error, group=item.group)

    async def close(self) -> None:
        """End the pylint process and remove the checkout."""
        try:
            await self.checkout.close()
        finally:
            await self.pylint.close()


async def score_stream(
    items: Sequence[BatchItem],
    options: ScoreOptions,
    workers: int | None = None,
    patch_timeout: float | None = None,
) -> AsyncIterator[BatchResult]:
    """Each patch's result as it finishes; leaving early (or cancelling) ends every worker."""
    pending = collections.deque(enumerate(items))
    finished: asyncio.Queue[BatchResult] = asyncio.Queue()

    async def work() -> None:
        worker = Worker(options, patch_timeout)
        try:
            while pending:
                index, item = pending.popleft()
                finished.put_nowait(await worker.score(item, index))
        finally:
            await worker.close()

    count = min(workers or default_workers(), len(items))
    tasks = [asyncio.create_task(work()) for _ in range(count)]
    try:
        for _ in items:
            yield await _next(finished, tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _next(
    finished: asyncio.Queue[BatchResult], tasks: list[asyncio.Task[None]]
) -> BatchResult:
    """The next result; a worker that died (not a patch's failure) raises here, never hangs."""
    getter = asyncio.ensure_future(finished.get())
    try:
        while True:
            if getter.done():
                return getter.result()
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    raise ScoringError(f"a batch worker failed: {task.exception()}")
            running = [task for task in tasks if not task.done()]
            if not running:
                await asyncio.sleep(0)
                if getter.done():
                    return getter.result()
                raise ScoringError("the batch's workers ended before every patch was scored")
            await asyncio.wait([getter, *running], return_when=asyncio.FIRST_COMPLETED)
    finally:
        getter.cancel()
