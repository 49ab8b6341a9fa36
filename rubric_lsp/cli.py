"""The `rubric` command: check, fmt, eval, score, test, diff, init, schema, review, calibrate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rubric_lsp import __version__

EXIT_CODES = """\
exit status:
  0  accepted, no accept_if, or nothing wrong (check, fmt --check)
  1  rejected (score, eval), errors found (check), files would change (fmt --check)
  2  usage, configuration or repository error: one line on stderr
  130 interrupted, 143 terminated"""


def _score_epilog() -> str:
    """What `rubric score --help` ends with: formats, check names and exit codes."""
    from rubric_lsp.language.checks import BUILTIN_CHECKS
    from rubric_lsp.scoring.reports import FORMATS

    checks = "\n".join(f"  {name:<15} {about}" for name, about in BUILTIN_CHECKS.items())
    return (
        f"formats: {', '.join(FORMATS)}\n\nchecks (--only, --skip, --timeout, check=):\n{checks}"
        f"\n\n{EXIT_CODES}\n  (--exit-zero: 0 when rejected too)"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rubric",
        description="Check, format, evaluate and score against .rubric files.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rubric {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="report problems in .rubric files")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search")
    check.add_argument("--format", choices=("text", "json"), default="text")

    fmt = commands.add_parser("fmt", help="rewrite .rubric files in the canonical layout")
    fmt.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to search")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 when a file would change")
    mode.add_argument("--diff", action="store_true", help="print the change, write nothing")

    evaluate = commands.add_parser(
        "eval", help="apply accept_if/review_if to the hand scores in a rubric"
    )
    evaluate.add_argument("path", metavar="PATH")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")

    score = commands.add_parser(
        "score",
        help="score the working tree's change against a rubric",
        epilog=_score_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from rubric_lsp.commands.score import add_arguments

    add_arguments(score)
    from rubric_lsp.commands import mutation_test

    mutation_test.add_arguments(
        commands.add_parser("test", help="plant defects in recent commits: what the rubric misses")
    )
    diff = commands.add_parser(
        "diff", help="compare two `rubric score --format json` reports: deltas, findings, rules"
    )
    diff.add_argument("before", metavar="A.json")
    diff.add_argument("after", metavar="B.json")
    diff.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    init = commands.add_parser("init", help="write a starter rubric (never over an existing one)")
    init.add_argument(
        "path", nargs="?", metavar="PATH", help="file or folder (default: ./<folder>.rubric)"
    )
    commands.add_parser("schema", help="print the JSON Schema of `rubric score --format json`")
    completion = commands.add_parser(
        "completion",
        help='print a shell completion script: eval "$(rubric completion bash)"',
    )
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))
    from rubric_lsp.commands import agent_commands

    agent_commands.add_parsers(commands)
    from rubric_lsp.commands import review

    review.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; the return value is the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "completion":
        import shtab

        # Generated from the parser itself, so every option and choice is completed.
        print(shtab.complete(parser, args.shell))
        return 0
    try:
        if args.command == "check":
            from rubric_lsp.commands.check import run_check

            return run_check(args.paths, args.format)
        if args.command == "fmt":
            from rubric_lsp.commands.fmt import run_fmt

            return run_fmt(args.paths, check=args.check, diff=args.diff)
        if args.command == "eval":
            from rubric_lsp.commands.evaluate import run_eval

            return run_eval(args.path, args.format)
        if args.command == "diff":
            from rubric_lsp.commands.diff import run_diff

            return run_diff(args.before, args.after, args.format)
        if args.command == "init":
            from rubric_lsp.commands.init import run_init

            return run_init(args.path)
        if args.command == "schema":
            from rubric_lsp.commands.schema import run_schema

            return run_schema()
        if args.command == "test":
            from rubric_lsp.commands.mutation_test import run as run_test

            return run_test(args)
        if args.command in ("prompt", "mcp", "loop"):
            from rubric_lsp.commands import agent_commands

            return agent_commands.run(args)
        if args.command in ("review", "calibrate", "dataset"):
            from rubric_lsp.commands import review

            return review.run(args)
        from rubric_lsp.commands.score import run

        return int(run(args))
    except KeyboardInterrupt:
        from rubric_lsp.commands.output import print_error

        print_error(None, "interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
