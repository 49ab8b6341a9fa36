"""`rubric score`: score the working tree's change (or a patch) against a rubric."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rubric_lsp.commands import batch
from rubric_lsp.commands.output import console as report_console
from rubric_lsp.commands.output import output_problem, print_error, verdict_line
from rubric_lsp.commands.stopping import run_until_signalled
from rubric_lsp.scoring.critic import registry
from rubric_lsp.scoring.engine import Progress, ScoreResult, number, run_scoring
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.judge.client import usage_line
from rubric_lsp.scoring.options import (
    DEFAULTS,
    DOC,
    FLAG,
    FLAG_HELP,
    METAVAR,
    ScoreOptions,
    ScoringSettings,
    SettingError,
    one_line,
    setting_fields,
)
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.report import FORMATS, cell, comment, plain, render, verdict
from rubric_lsp.scoring.reports.markdown import to_markdown
from rubric_lsp.scoring.reports.sources import Sources

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
COMMAND = "score"
# Settings whose command-line spelling is not one option per field: these options set them.
BY_HAND = {"critics": ("--only", "--skip", "--timeout")}


def flag_of(field: attrs.Attribute[Any]) -> str:
    """The option that sets a field: its ``flag`` metadata, else ``--field-name``."""
    if FLAG in field.metadata:
        return str(field.metadata[FLAG])
    # A flag that is on by default can only be turned off.
    off = "no-" if getattr(DEFAULTS, field.name) is True else ""
    return f"--{off}{field.name.replace('_', '-')}"


def _help(field: attrs.Attribute[Any]) -> str:
    """A field's doc as its help text, with the default; argparse reads % as a format."""
    default = getattr(DEFAULTS, field.name)
    text = one_line(field.metadata.get(FLAG_HELP, field.metadata[DOC]))
    if default not in ("", None) and not isinstance(default, bool):
        text += (
            f" (default: {default:g})" if isinstance(default, float) else f" (default: {default})"
        )
    return text.replace("%", "%%")


def _add_setting(parser: argparse.ArgumentParser, field: attrs.Attribute[Any]) -> None:
    """The option of one shared setting, generated from its declaration."""
    default = getattr(DEFAULTS, field.name)
    options: dict[str, Any] = {"dest": field.name, "default": default, "help": _help(field)}
    if isinstance(default, bool):
        # A flag sets the opposite of the default: --untrusted, --no-cache.
        options["action"] = "store_false" if default else "store_true"
    else:
        options["type"] = type(default)
        options["metavar"] = field.metadata.get(METAVAR, field.name.upper())
    parser.add_argument(flag_of(field), **options)


def add_settings(parser: argparse.ArgumentParser) -> None:
    """One option per shared setting, generated from the tree (`rubric score`, `rubric test`)."""
    for field in setting_fields():
        if field.name not in BY_HAND:
            _add_setting(parser, field)


def settings_from(args: argparse.Namespace) -> dict[str, Any]:
    """The shared settings the options gave, validated; a bad value raises ScoringError."""
    values = {f.name: getattr(args, f.name) for f in setting_fields() if f.name not in BY_HAND}
    try:
        settings = ScoringSettings(**values)
    except SettingError as error:
        (field,) = [f for f in setting_fields() if f.name == error.name]
        raise ScoringError(f"{flag_of(field)} {error.problem}") from None
    return {f.name: getattr(settings, f.name) for f in setting_fields()}


def add_check_selection(parser: argparse.ArgumentParser) -> None:
    """--only, --skip and --timeout, which `overrides_from` reads."""
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric score`: what to score, the shared settings, and the output."""
    parser.add_argument(
        "--repo", default=".", metavar="PATH", help="the repository to score (default: .)"
    )
    add_settings(parser)
    parser.add_argument(
        "--patch",
        metavar="FILE",
        help="score this unified diff applied onto the base in a temporary checkout ('-': stdin)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 when the change is rejected too (errors still exit 2): report, never fail",
    )
    add_check_selection(parser)
    parser.add_argument(
        "--log-file",
        metavar="FILE",
        help="append the run's log, with the traceback of any check that crashed, to FILE",
    )
    batch.add_batch_arguments(parser)


def overrides_from(args: argparse.Namespace) -> tuple[dict[str, bool], dict[str, float]]:
    """--only, --skip and --timeout as the checks turned on or off and their time limits."""
    # Only the checks named are overridden (a time limit does not turn on a check the rubric
    # turns off), which is why these options set ``enabled`` and ``timeouts``, not ``critics``.
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
    return enabled, timeouts


def options_from(args: argparse.Namespace) -> ScoreOptions:
    """Command-line arguments as scoring options; bad values raise ScoringError."""
    enabled, timeouts = overrides_from(args)
    shared = settings_from(args)
    patch: bytes | None = None
    if args.patch is not None:
        try:
            patch = sys.stdin.buffer.read() if args.patch == "-" else Path(args.patch).read_bytes()
        except OSError as error:
            raise ScoringError(f"{args.patch}: {error.strerror or error}") from None
    return ScoreOptions(
        **shared,
        repo=args.repo,
        patch=patch,
        enabled=enabled,
        timeouts=timeouts,
        queue_review=True,
    )


async def _still_running(started: float, every: float = 10.0) -> None:
    """On a terminal, a line now and then while checks (a long test run) are still going."""
    while True:
        await asyncio.sleep(every)
        print(
            f"  ... still scoring ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True
        )


def progress_line(event: Progress) -> str:
    """One finished check, as the progress on stderr shows it."""
    score = "-" if event.score is None else f"{event.score:.2f}"
    return f"  [{event.done}/{event.total}] {event.check}: {event.status} {score}"


async def _main(options: ScoreOptions, progress: bool) -> tuple[ScoreResult, Path]:
    """Score, ending cleanly on a signal (cancelled, so checkouts go), by force if stuck."""
    started = time.monotonic()

    def show(event: Progress) -> None:
        print(progress_line(event), file=sys.stderr, flush=True)

    async def scored() -> tuple[ScoreResult, Path]:
        ticker = asyncio.create_task(_still_running(started)) if progress else None
        try:
            result = await run_scoring(options, show if progress else None)
            return result, (await Repository.find(options.repo)).root
        finally:
            if ticker is not None:
                ticker.cancel()

    # SIGHUP too: the terminal running the command was closed.
    return await run_until_signalled(COMMAND, scored)


def print_text(result: ScoreResult, console: Console) -> None:
    """A table of criteria, the verdict, then the steps of weak criteria."""
    console.print(f"rubric: {plain(result.rubric_origin)}", highlight=False, markup=False)
    base = result.base[:12] if result.base else "(no commits yet)"
    files = len(result.changed_files)
    console.print(f"base: {result.base_ref} = {base}; {files} changed file(s)", highlight=False)
    console.print(f"python: {result.python.describe()}", highlight=False, markup=False)
    if result.judge is not None:
        console.print(f"judge: {usage_line(result.judge)}", highlight=False, markup=False)
    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("criterion", "weight", "score", "points", "comment"):
        right = column in ("weight", "score", "points")
        table.add_column(column, justify="right" if right else "left", overflow="fold")
    for criterion in result.criteria.values():
        table.add_row(
            criterion.name,
            f"{criterion.weight:g}",
            cell(criterion.score),
            cell(criterion.points, ".1f"),
            # Table cells read rich markup: a "[/]" in a test name must stay text.
            escape(plain(comment(criterion))),
        )
    console.print(table)
    final = cell(result.final_score)
    console.print(
        f"total {number(result.evaluation.total)}/{number(result.evaluation.max_total)}   "
        f"weighted {final}",
        highlight=False,
    )
    for rule in result.evaluation.rules:
        mark = rule.mark
        console.print(f"  {mark}  {rule.text}  ({rule.detail})", highlight=False)
    for name, reason in result.evaluation.gated.items():
        console.print(f"  gated  {name}: {reason}", highlight=False, markup=False)
    console.print(verdict_line(verdict(result)), highlight=False)
    if result.review_id is not None:
        console.print(f"review: queued as {result.review_id} (rubric review show ID)")
    shown = [c for c in result.criteria.values() if len(c.steps) > 1]
    for criterion in shown:
        console.print(f"\n{criterion.name} ({criterion.check or 'hand'}):", highlight=False)
        for step in criterion.steps:
            console.print(f"  {plain(step)}", highlight=False, markup=False)


def write_report(
    result: ScoreResult, output_format: str, output: str | None, sources: Sources | None = None
) -> None:
    """The report on stdout, or in the file ``output``; ``sources`` reads the repository."""
    if output:
        with open(output, "w", encoding="utf-8") as file:
            if output_format == "text":
                print_text(result, report_console(file))
            else:
                file.write(render(result, output_format, sources))
    elif output_format == "text":
        print_text(result, report_console())
    else:
        sys.stdout.write(render(result, output_format, sources))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format == "github" and summary:
        # The job's summary page shows the Markdown report beside the annotations.
        with open(summary, "a", encoding="utf-8") as file:
            file.write(to_markdown(result) + "\n")


def relative_to_root(result: ScoreResult, root: Path) -> ScoreResult:
    """The result with the rubric's path relative to the repository, as the contract shows it."""
    rubric = Path(result.rubric)
    if not rubric.is_absolute() or not rubric.is_relative_to(root):
        return result
    relative = rubric.relative_to(root).as_posix()
    origin = result.rubric_origin.replace(str(rubric), relative)
    return dataclasses.replace(result, rubric=relative, rubric_origin=origin)


@contextlib.contextmanager
def logging_to(path: str | None) -> Iterator[None]:
    """Send the run's log records (a crashed check's traceback among them) to a file."""
    if path is None:
        yield
        return
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as error:
        raise ScoringError(f"--log-file {path}: {error.strerror or error}") from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def tree_changed_warning(paths: tuple[str, ...], limit: int = 5) -> str:
    """The warning that the run's own code changed files of the working tree."""
    named = ", ".join(plain(path) for path in paths[:limit])
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return (
        f"warning: the tests or benchmark changed {len(paths)} file(s) of the working tree: "
        f"{named}{more}"
    )


def run(args: argparse.Namespace) -> int:
    """Run `rubric score`; 0 accepted (or no accept_if), 1 rejected, 2 on errors."""
    problem = output_problem(args.output) if args.output else None
    if problem:
        print_error(COMMAND, problem)
        return 2
    if args.batch is not None:
        return batch.run_command(args, options_from)
    try:
        with logging_to(args.log_file):
            options = options_from(args)
            # Progress goes to stderr: on a terminal it never mixes with a report on stdout.
            progress = sys.stderr.isatty()
            result, root = asyncio.run(_main(options, progress))
    except ScoringError as error:
        print_error(COMMAND, with_shallow_hint(str(error), args.repo))
        return 2
    except asyncio.CancelledError:
        print_error(COMMAND, "terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print_error(COMMAND, "interrupted")
        return EXIT_INTERRUPTED
    result = relative_to_root(result, root)
    # A --patch run's files are in a checkout that is gone: the tree holds the base's text.
    sources = Sources(root if options.patch is None else None)
    write_report(result, args.format, args.output, sources)
    if result.tree_changed_by_tests:
        print_error(COMMAND, tree_changed_warning(result.tree_changed_by_tests))
    return 0 if args.exit_zero and result.exit_code == 1 else result.exit_code


def with_shallow_hint(message: str, repo: str) -> str:
    """An error about the base, with the fix when the clone is shallow (actions/checkout's)."""
    if "no common ancestor" not in message and "unknown revision" not in message:
        return message
    if not any(folder.joinpath("shallow").exists() for folder in _git_dirs(Path(repo))):
        return message
    return (
        f"{message}: this clone is shallow; fetch the history "
        "(actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
    )


def _git_dirs(start: Path) -> list[Path]:
    """The .git folders of ``start`` and its parents: where git marks a shallow clone."""
    folder = start.resolve()
    return [parent / ".git" for parent in (folder, *folder.parents) if (parent / ".git").is_dir()]
