"""`rubric prompt`: the rubric as instructions a coding agent reads before it starts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rubric_lsp.agents.prompt import FORMATS, PromptFormat, build, render
from rubric_lsp.commands.output import print_error
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.rubricfile import LoadedRubric, load

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


def rubric_label(rubric: LoadedRubric, repo: Path) -> str:
    """How the prompt names the rubric: relative to the repository, the same on any machine."""
    if rubric.origin in ("default", "text"):
        return rubric.path
    path = Path(rubric.path)
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return rubric.path


def prompt_text(
    repo: str | Path = ".",
    rubric: str | Path | None = None,
    output_format: PromptFormat = "markdown",
    with_critique: bool = False,
) -> str:
    """The rendered prompt of a repository's rubric; ScoringError when it cannot be read."""
    root = Path(repo)
    loaded = load(root, rubric)
    return render(build(loaded.document, rubric_label(loaded, root), with_critique), output_format)


def run(args: argparse.Namespace) -> int:
    """Print the prompt; 2 when the rubric cannot be read or is invalid."""
    try:
        text = prompt_text(args.repo, args.rubric, args.format, args.with_critique)
    except ScoringError as error:
        print_error(COMMAND, str(error))
        return 2
    sys.stdout.write(text)
    return 0
