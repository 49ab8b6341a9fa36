"""`rubric prompt`: the rubric as instructions a coding agent reads before it starts."""

from __future__ import annotations

import argparse
import sys

from rubric_lsp.agents.prompt import FORMATS
from rubric_lsp.agents.tools import prompt_text
from rubric_lsp.commands.output import print_error
from rubric_lsp.scoring.proc import ScoringError

COMMAND = "prompt"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric prompt`."""
    parser.add_argument(
        "--repo", default=".", metavar="PATH", help="the repository whose rubric (default: .)"
    )
    parser.add_argument(
        "--rubric", metavar="PATH", help="the rubric file (default: the one at the root)"
    )
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="output format")
    parser.add_argument(
        "--with-critique",
        action="store_true",
        help="append the revisions of the rubric's latest critique block",
    )


def run(args: argparse.Namespace) -> int:
    """Print the prompt; 2 when the rubric cannot be read or is invalid."""
    try:
        text = prompt_text(args.repo, args.rubric, args.format, args.with_critique)
    except ScoringError as error:
        print_error(COMMAND, str(error))
        return 2
    sys.stdout.write(text)
    return 0
