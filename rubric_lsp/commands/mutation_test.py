"""`rubric test`: plant defects in recent commits (or a patch) and see which the rubric misses."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rubric_lsp.commands.output import print_error
from rubric_lsp.commands.score import (
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    add_check_selection,
    add_settings,
    overrides_from,
    settings_from,
)
from rubric_lsp.commands.stopping import run_until_signalled
from rubric_lsp.scoring.engine import ScoreOptions
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.mutations.campaign import ConcurrentScorer, MutationReport, run_campaign
from rubric_lsp.scoring.mutations.catalogue import BY_NAME, DEFECTS
from rubric_lsp.scoring.mutations.twins import Change, patch_change, recent_commits
from rubric_lsp.scoring.proc import ScoringError

COMMAND = "test"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric test`."""
    parser.add_argument("--repo", default=".", metavar="PATH", help="the repository (default: .)")
    # The settings of `rubric score` (--rubric, --base, --untrusted, --python, ...), generated
    # from the one tree; --base is where --patch applies (commits bring their own parents).
    add_settings(parser)
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--commits",
        type=int,
        default=10,
        metavar="N",
        help="the last N commits of HEAD that change Python code (default: 10)",
    )
    what.add_argument(
        "--patch", metavar="FILE", help="a unified diff onto --base instead of commits ('-': stdin)"
    )
    parser.add_argument(
        "--defects",
        metavar="NAMES",
        help=f"comma-separated defect classes (default: all: {', '.join(BY_NAME)})",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="scorings run at once (default: 1)"
    )
    add_check_selection(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")


def options_from(args: argparse.Namespace) -> ScoreOptions:
    """The options every scoring of the campaign shares, as `rubric score` builds them."""
    enabled, timeouts = overrides_from(args)
    shared = settings_from(args)
    return ScoreOptions(**shared, repo=args.repo, enabled=enabled, timeouts=timeouts)


async def _changes(args: argparse.Namespace, repo: Repository) -> list[Change]:
    if args.patch is None:
        if args.commits < 1:
            raise ScoringError("--commits must be at least 1")
        changes = await recent_commits(repo, args.commits)
        if not changes:
            raise ScoringError("no commit with a parent changes a Python file")
        return changes
    try:
        data = sys.stdin.buffer.read() if args.patch == "-" else Path(args.patch).read_bytes()
    except OSError as error:
        raise ScoringError(f"{args.patch}: {error.strerror or error}") from None
    base = await repo.resolve_base(args.base)
    if base is None:
        raise ScoringError("--patch needs a base commit; the repository has no commits yet")
    return [await patch_change(repo, base, data, Path(args.patch).name)]


async def _main(args: argparse.Namespace, progress: bool) -> MutationReport:
    if args.workers < 1:
        raise ScoringError("--workers must be at least 1")
    names = args.defects.split(",") if args.defects else list(BY_NAME)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ScoringError(f"unknown defect '{unknown[0]}' (known: {', '.join(BY_NAME)})")
    defects = [d for d in DEFECTS if d.name in names]
    options = options_from(args)
    repo = await Repository.find(args.repo)
    changes = await _changes(args, repo)

    def show(done: int, total: int) -> None:
        print(f"  [{done}/{total}] scored", file=sys.stderr, flush=True)

    return await run_campaign(
        changes, defects, options, ConcurrentScorer(args.workers), show if progress else None
    )


def print_report(report: MutationReport, console: Console) -> None:
    """The table of defect classes, then the blind spots."""
    console.print(f"rubric: {escape(report.rubric)}", highlight=False)
    console.print(f"changes: {len(report.changes)}", highlight=False)
    for label, error in report.unscored:
        console.print(f"  not scored: {escape(label)}: {escape(error)}", highlight=False)
    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("defect", "check", "claimed by", "caught", "largest drop on", "mean change"):
        table.add_column(column, justify="right" if column in ("caught", "mean change") else "left")
    for summary in report.summaries:
        planted = len(summary.outcomes)
        where = ", ".join(f"{name} ({n})" for name, n in summary.criteria) or "-"
        mean = summary.mean_drop
        table.add_row(
            summary.defect.name,
            summary.defect.check,
            ", ".join(summary.claimed_by) or "-",
            f"{summary.caught}/{planted}" if planted else "not planted",
            escape(where),
            "-" if mean is None else f"{-mean:+.3f}",
        )
    console.print(table)
    spots = [s for s in report.summaries if s.blind_spot]
    console.print("blind spots:" if spots else "blind spots: none", highlight=False)
    for summary in spots:
        claim = " (claimed by " + ", ".join(summary.claimed_by) + ")" if summary.claimed_by else ""
        console.print(f"  {summary.blind_spot}{claim}", highlight=False, markup=False)


def run(args: argparse.Namespace) -> int:
    """Run `rubric test`; 0 all claimed defects caught, 1 one slipped through, 2 on errors."""
    try:
        progress = args.format == "text" and sys.stderr.isatty()
        report = asyncio.run(run_until_signalled(COMMAND, lambda: _main(args, progress)))
    except ScoringError as error:
        print_error(COMMAND, str(error))
        return 2
    except asyncio.CancelledError:
        print_error(COMMAND, "terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print_error(COMMAND, "interrupted")
        return EXIT_INTERRUPTED
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        console = Console(soft_wrap=True)
        if not console.is_terminal:  # a file or a pipe: wide enough that no cell wraps
            console = Console(soft_wrap=True, width=160)
        print_report(report, console)
    return report.exit_code
