"""The Ray engine: the local engine's workers as Ray actors, each with its own clone.

The repository travels as a `git bundle` through Ray's object store (no shared filesystem is
assumed); each actor clones it once, keeps a warm pylint and a reused checkout of the base,
and scores one patch at a time exactly as the local engine does.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import importlib
import shutil
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from rubric_lsp.scoring.batch.items import BatchItem, BatchResult
from rubric_lsp.scoring.batch.local import Worker
from rubric_lsp.scoring.engine import ScoreOptions, loaded_rubric
from rubric_lsp.scoring.gitrepo import Repository, git
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.reaper import owned_tempdir

# Typed as Any: Ray is an optional extra, and mypy must pass without it installed.
ray: Any = importlib.import_module("ray")

# Seconds an actor gets to remove its clone before it is killed.
CLOSE_SECONDS = 30.0


async def make_bundle(root: Path, folder: Path) -> tuple[bytes, str]:
    """Every ref of the repository as one git bundle's bytes, and what HEAD is."""
    path = folder / "repo.bundle"
    done = await git(root, "bundle", "create", "--quiet", str(path), "HEAD", "--all", check=False)
    if done.returncode != 0:
        raise ScoringError(f"cannot bundle the repository: {done.last_error_line()}")
    # The branch HEAD names, or the commit of a detached HEAD.
    named = await git(root, "symbolic-ref", "--quiet", "HEAD", check=False)
    head = named.text.strip() if named.returncode == 0 else ""
    if not head:
        head = (await git(root, "rev-parse", "HEAD")).text.strip()
    return path.read_bytes(), head


async def unbundle(bundle: bytes, head: str, folder: Path) -> Path:
    """A repository in ``folder``/repo with the bundle's refs and HEAD, checked out.

    Unbundled, not cloned: rubric's git never uses a transport (protocol.allow=never).
    """
    path = folder / "repo.bundle"
    path.write_bytes(bundle)
    clone = folder / "repo"
    await _git_or_fail(folder, ("init", "--quiet", str(clone)))
    listed = await _git_or_fail(clone, ("bundle", "unbundle", str(path)))
    path.unlink()
    for line in listed.splitlines():
        sha, _, ref = line.partition(" ")
        if ref.startswith("refs/"):
            await _git_or_fail(clone, ("update-ref", ref, sha))
    if head.startswith("refs/"):
        await _git_or_fail(clone, ("symbolic-ref", "HEAD", head))
        await _git_or_fail(clone, ("reset", "--quiet", "--hard"))
    else:
        await _git_or_fail(clone, ("checkout", "--quiet", "--detach", head))
    return clone


async def _git_or_fail(cwd: Path, args: tuple[str, ...]) -> str:
    done = await git(cwd, *args, check=False)
    if done.returncode != 0:
        raise ScoringError(f"cannot unpack the repository: git {args[0]}: {done.last_error_line()}")
    return done.text


class BatchActor:
    """A Ray actor: a clone of the repository and a local-engine worker scoring in it."""

    def __init__(
        self,
        bundle: bytes,
        head: str,
        options: ScoreOptions,
        root_rubric: tuple[str, str] | None,
        patch_timeout: float | None,
    ) -> None:
        self.bundle = bundle
        self.head = head
        self.options = options
        self.root_rubric = root_rubric
        self.patch_timeout = patch_timeout
        # Marked as this actor's: a later run removes it if the actor is killed first.
        self.folder = owned_tempdir("rubric-score-")
        self.worker: Worker | None = None

    async def _ready(self) -> Worker:
        if self.worker is not None:
            return self.worker
        clone = await unbundle(self.bundle, self.head, self.folder)
        if self.root_rubric is not None:
            # The driver's rubric at the root may be uncommitted: the clone gets it too.
            name, text = self.root_rubric
            (clone / name).write_text(text, encoding="utf-8")
        self.worker = Worker(attrs.evolve(self.options, repo=str(clone)), self.patch_timeout)
        return self.worker

    async def score(self, item: BatchItem, index: int) -> BatchResult:
        """Score one patch in this actor's clone."""
        try:
            worker = await self._ready()
        except ScoringError as error:
            return BatchResult(item.id, index, error=str(error), group=item.group)
        return await worker.score(item, index)

    async def close(self) -> None:
        """End the worker and remove the clone."""
        try:
            if self.worker is not None:
                await self.worker.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


async def _rubric_for_nodes(
    options: ScoreOptions,
) -> tuple[ScoreOptions, tuple[str, str] | None, Any]:
    """The options as nodes need them, the root rubric to copy, and the driver's rubric."""
    repo = await Repository.find(options.repo)
    rubric = loaded_rubric(repo.root, options)
    if options.rubric_text is None and options.rubric:
        # A rubric named by path may lie outside the repository: its text travels instead.
        text = Path(options.rubric).read_text(encoding="utf-8")
        return attrs.evolve(options, rubric_text=text), None, rubric
    if rubric.origin == "repository":
        path = Path(rubric.path)
        return options, (path.name, path.read_text(encoding="utf-8")), rubric
    return options, None, rubric


def _start(address: str | None, workers: int | None) -> bool:
    """Connect to Ray (or start a local cluster); whether this call started it."""
    if ray.is_initialized():
        return False
    ray.init(
        address=address,
        num_cpus=None if address else workers,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    return True


async def ray_stream(
    items: Sequence[BatchItem],
    options: ScoreOptions,
    workers: int | None = None,
    patch_timeout: float | None = None,
    address: str | None = None,
) -> AsyncIterator[BatchResult]:
    """Each patch's result as its actor finishes it; actors and a cluster we started end after."""
    repo = await Repository.find(options.repo)
    scratch = owned_tempdir("rubric-score-")
    try:
        bundle, head = await make_bundle(repo.root, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    node_options, root_rubric, rubric = await _rubric_for_nodes(options)
    started = _start(address, workers)
    actors: list[Any] = []
    try:
        count = min(workers or max(1, int(ray.cluster_resources().get("CPU", 1))), len(items))
        shared = ray.put(bundle)
        remote = ray.remote(num_cpus=1, max_concurrency=1)(BatchActor)
        actors = [
            remote.remote(shared, head, node_options, root_rubric, patch_timeout)
            for _ in range(count)
        ]
        pending = collections.deque(enumerate(items))
        finished: asyncio.Queue[BatchResult] = asyncio.Queue()

        async def feed(actor: Any) -> None:
            while pending:
                index, item = pending.popleft()
                finished.put_nowait(await actor.score.remote(item, index))

        tasks = [asyncio.create_task(feed(actor)) for actor in actors]
        try:
            from rubric_lsp.scoring.batch.local import _next

            for _ in items:
                result = await _next(finished, tasks)
                yield _as_driver_saw(result, rubric)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await _end(actors)
        if started:
            ray.shutdown()


def _as_driver_saw(result: BatchResult, rubric: Any) -> BatchResult:
    """A node's result naming the rubric where the driver has it, as the local engine does."""
    if result.result is None or rubric.origin != "repository":
        return result
    from rubric_lsp.scoring.rubricfile import describe_origin

    local = dataclasses.replace(
        result.result, rubric=rubric.path, rubric_origin=describe_origin(rubric)
    )
    return attrs.evolve(result, result=local)


async def _end(actors: list[Any]) -> None:
    """Ask every actor to remove its clone, then kill it."""
    if not actors:
        return
    closing = [actor.close.remote() for actor in actors]
    try:
        await asyncio.wait_for(asyncio.gather(*closing, return_exceptions=True), CLOSE_SECONDS)
    except TimeoutError:
        pass
    finally:
        for actor in actors:
            ray.kill(actor)
