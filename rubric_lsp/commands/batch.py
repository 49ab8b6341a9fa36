"""`rubric score --batch`: many patches on one base, JSON Lines in and out."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

import attrs

from rubric_lsp.commands.output import print_error
from rubric_lsp.commands.stopping import run_until_signalled
from rubric_lsp.scoring.batch.api import ENGINES, RAY_HINT, stream
from rubric_lsp.scoring.batch.items import BatchItem, BatchResult, parse_lines, with_advantages
from rubric_lsp.scoring.engine import ScoreOptions
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.proc import ScoringError

COMMAND = "score"


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a batch run, grouped in `rubric score --help`."""
    group = parser.add_argument_group("batch (JSON Lines of {id, patch, base?} in and out)")
    group.add_argument(
        "--batch", metavar="FILE", help="score each patch of this JSON Lines file ('-': stdin)"
    )
    group.add_argument("--ordered", action="store_true", help="write results in input order")
    group.add_argument(
        "--workers", type=int, metavar="N", help="patches scored at once (default: the cores)"
    )
    group.add_argument(
        "--group-advantages",
        action="store_true",
        help="add advantage = (reward - group mean) / group std to each line (written at the end)",
    )
    group.add_argument("--engine", choices=ENGINES, default="local", help="where patches run")
    group.add_argument("--ray-address", metavar="ADDR", help="a running Ray cluster's address")
    group.add_argument(
        "--patch-timeout",
        type=float,
        metavar="SECONDS",
        help="a patch still scoring after this gets an error line (default: no limit)",
    )


def _items(args: argparse.Namespace) -> list[BatchItem]:
    """The input lines, read whole before scoring so a bad line is a usage error."""
    if args.workers is not None and args.workers < 1:
        raise ScoringError("--workers must be 1 or more")
    if args.patch_timeout is not None and args.patch_timeout <= 0:
        raise ScoringError("--patch-timeout must be positive")
    if args.engine == "ray" and importlib.util.find_spec("ray") is None:
        raise ScoringError(RAY_HINT)
    try:
        if args.batch == "-":
            text = sys.stdin.read()
        else:
            text = Path(args.batch).read_text(encoding="utf-8")
    except OSError as error:
        raise ScoringError(f"{args.batch}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScoringError(f"{args.batch}: not UTF-8 text") from None
    items = parse_lines(text.splitlines())
    if not items:
        raise ScoringError(f"{args.batch}: no patch to score")
    return items


class Meter:
    """done/total, patches per minute and the time left, on stderr (rich on a terminal)."""

    def __init__(self, total: int, stream: IO[str]) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self.stream = stream
        self._bar: Any = None
        self._task: Any = None
        if stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                "{task.fields[rate]}",
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=True,
            )
            self._task = self._bar.add_task("scoring", total=total, rate="")
            self._bar.start()

    def line(self) -> str:
        """The progress as one line of text."""
        minutes = max(time.monotonic() - self.started, 1e-6) / 60
        rate = self.done / minutes
        left = (self.total - self.done) / rate * 60 if rate else float("nan")
        errors = f", {self.failed} error(s)" if self.failed else ""
        return f"  [{self.done}/{self.total}] {rate:.1f} patches/min, ETA {left:.0f} s{errors}"

    def advance(self, result: BatchResult) -> None:
        """One more patch finished."""
        self.done += 1
        self.failed += result.result is None
        if self._bar is not None:
            rate = self.done / max(time.monotonic() - self.started, 1e-6) * 60
            self._bar.update(self._task, advance=1, rate=f"{rate:.1f}/min")
        else:
            print(self.line(), file=self.stream, flush=True)

    def stop(self) -> None:
        """Take the bar down."""
        if self._bar is not None:
            self._bar.stop()


def _write(out: IO[str], result: BatchResult, with_advantage: bool, root: Path) -> None:
    """One line, its rubric path relative to the repository as `rubric score` shows it."""
    from rubric_lsp.commands.score import relative_to_root

    if result.result is not None:
        result = attrs.evolve(result, result=relative_to_root(result.result, root))
    out.write(json.dumps(result.to_json(with_advantage)) + "\n")
    out.flush()


async def _in_order(results: AsyncIterator[BatchResult]) -> AsyncIterator[BatchResult]:
    """Results in input order, each as soon as those before it are out."""
    waiting: dict[int, BatchResult] = {}
    following = 0
    async for result in results:
        waiting[result.index] = result
        while following in waiting:
            yield waiting.pop(following)
            following += 1


async def _batch(
    items: list[BatchItem], options: ScoreOptions, args: argparse.Namespace, out: IO[str]
) -> None:
    """Score every item, writing each line as its patch finishes."""
    meter = Meter(len(items), sys.stderr)
    how = {
        "workers": args.workers,
        "engine": args.engine,
        "patch_timeout": args.patch_timeout,
        "ray_address": args.ray_address,
    }
    held: list[BatchResult] = []
    root = (await Repository.find(options.repo)).root
    try:
        results = stream(items, options, **how)
        async for result in _in_order(results) if args.ordered else results:
            meter.advance(result)
            if args.group_advantages:
                held.append(result)  # a group's mean needs every reward of it
            else:
                _write(out, result, False, root)
    finally:
        meter.stop()
    if args.group_advantages:
        ranked = with_advantages(held)
        for result in sorted(ranked, key=lambda r: r.index) if args.ordered else ranked:
            _write(out, result, True, root)


async def _main(call: Callable[[], Any]) -> None:
    """Run the batch, ending cleanly on a signal (cancelled, checkouts go), by force if stuck."""
    await run_until_signalled(COMMAND, call)


def run(args: argparse.Namespace, options: ScoreOptions) -> int:
    """`rubric score --batch`: 0 when every patch got its line, 2 on usage errors."""
    items = _items(args)
    output = getattr(args, "output", None)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        asyncio.run(_main(lambda: _batch(items, options, args, out)))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def run_command(args: argparse.Namespace, options_from: Callable[[argparse.Namespace], Any]) -> int:
    """The batch run with score's error handling: one line and exit 2, 130 on Ctrl-C."""
    try:
        if args.patch is not None:
            raise ScoringError("--batch and --patch exclude each other")
        return run(args, options_from(args))
    except ScoringError as error:
        print_error(COMMAND, str(error))
        return 2
    except asyncio.CancelledError:
        print_error(COMMAND, "terminated")
        return 143
    except KeyboardInterrupt:
        print_error(COMMAND, "interrupted")
        return 130
