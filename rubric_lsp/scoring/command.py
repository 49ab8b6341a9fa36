"""`rubric score`: score the working tree's change (or a patch) against a rubric."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from rich.console import Console

from rubric_lsp.scoring.critic import registry
from rubric_lsp.scoring.engine import (
    DEFAULT_HEAL_THRESHOLD,
    Progress,
    ScoreOptions,
    ScoreResult,
    run_scoring,
)
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.report import FORMATS, render

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric score`."""
    parser.add_argument(
        "--repo", default=".", metavar="PATH", help="the repository to score (default: .)"
    )
    parser.add_argument(
        "--rubric",
        metavar="PATH",
        help="the rubric (default: the single *.rubric at the repository root, else a built-in)",
    )
    parser.add_argument(
        "--base",
        default="HEAD",
        metavar="REV",
        help="compare with the merge-base of REV and HEAD (default: HEAD)",
    )
    parser.add_argument(
        "--patch",
        metavar="FILE",
        help="score this unified diff applied onto the base in a temporary checkout ('-': stdin)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--heal-threshold",
        type=float,
        default=DEFAULT_HEAL_THRESHOLD,
        metavar="X",
        help="criteria below X get their full reasoning steps (default: 0.8)",
    )
    parser.add_argument(
        "--untrusted",
        action="store_true",
        help="do not run checks that execute the repository's code (tests, coverage, benchmark)",
    )
    parser.add_argument(
        "--only", action="append", metavar="CHECK", default=[], help="run only these checks"
    )
    parser.add_argument(
        "--skip", action="append", metavar="CHECK", default=[], help="do not run these checks"
    )
    parser.add_argument(
        "--timeout",
        action="append",
        metavar="CHECK=SECONDS",
        default=[],
        help="a check's time limit, overriding the rubric's checks block",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )


def options_from(args: argparse.Namespace) -> ScoreOptions:
    """Command-line arguments as scoring options; bad values raise ScoringError."""
    known = set(registry())
    for name in [*args.only, *args.skip]:
        if name not in known:
            raise ScoringError(f"unknown check '{name}' (known: {', '.join(sorted(known))})")
    enabled: dict[str, bool] = {}
    if args.only:
        enabled = {name: name in args.only for name in known}
    for name in args.skip:
        enabled[name] = False
    timeouts: dict[str, float] = {}
    for item in args.timeout:
        name, _, seconds = item.partition("=")
        if name not in known:
            raise ScoringError(f"--timeout {item}: unknown check '{name}'")
        try:
            timeouts[name] = float(seconds)
        except ValueError:
            raise ScoringError(f"--timeout {item}: seconds must be a number") from None
        if timeouts[name] <= 0:
            raise ScoringError(f"--timeout {item}: seconds must be positive")
    if not 0.0 <= args.heal_threshold <= 1.0:
        raise ScoringError("--heal-threshold must lie between 0 and 1")
    patch: bytes | None = None
    if args.patch is not None:
        try:
            patch = sys.stdin.buffer.read() if args.patch == "-" else Path(args.patch).read_bytes()
        except OSError as error:
            raise ScoringError(f"{args.patch}: {error.strerror or error}") from None
    return ScoreOptions(
        repo=args.repo,
        rubric=args.rubric,
        base=args.base,
        patch=patch,
        trusted=not args.untrusted,
        heal_threshold=args.heal_threshold,
        enabled=enabled,
        timeouts=timeouts,
        use_cache=not args.no_cache,
    )


async def _main(options: ScoreOptions, progress: bool) -> ScoreResult:
    """Score, ending cleanly on SIGTERM or SIGHUP: the task is cancelled so checkouts go."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    # SIGHUP: the terminal running the command was closed.
    signals = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    # Not possible outside the main thread or where there are no signals.
    for signum in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, task.cancel)

    def show(event: Progress) -> None:
        score = "-" if event.score is None else f"{event.score:.2f}"
        print(
            f"  [{event.done}/{event.total}] {event.check}: {event.status} {score}",
            file=sys.stderr,
            flush=True,
        )

    try:
        return await run_scoring(options, show if progress else None)
    finally:
        for signum in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)


def run(args: argparse.Namespace) -> int:
    """Run `rubric score`; 0 accepted (or no accept_if), 1 rejected, 2 on errors."""
    try:
        options = options_from(args)
        progress = args.format == "text" and sys.stderr.isatty()
        result = asyncio.run(_main(options, progress))
    except ScoringError as error:
        print(f"rubric score: {error}", file=sys.stderr)
        return 2
    except asyncio.CancelledError:
        print("rubric score: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("rubric score: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    output = args.output
    if output:
        console = Console(file=open(output, "w", encoding="utf-8"), soft_wrap=True)  # noqa: SIM115
        with console.file:
            text = render(result, args.format, console)
            if text is not None:
                console.file.write(text)
    else:
        text = render(result, args.format, Console(soft_wrap=True))
        if text is not None:
            sys.stdout.write(text)
    return result.exit_code
