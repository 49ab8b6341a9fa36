"""The `rubric` command: check, fmt, eval and score."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rubric_lsp import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rubric",
        description="Check, format, evaluate and score against .rubric files.",
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

    score = commands.add_parser("score", help="score the working tree's change against a rubric")
    from rubric_lsp.commands.score import add_arguments

    add_arguments(score)
    from rubric_lsp.commands import mutation_test

    mutation_test.add_arguments(
        commands.add_parser("test", help="plant defects in recent commits: what the rubric misses")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; the return value is the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
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
        if args.command == "test":
            from rubric_lsp.commands.mutation_test import run as run_test

            return run_test(args)
        from rubric_lsp.commands.score import run

        return int(run(args))
    except KeyboardInterrupt:
        from rubric_lsp.commands.output import print_error

        print_error(None, "interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
