"""What the MCP tools compute, without the protocol: scoring as the CLI does it, weak criteria.

Every score goes through `rubric score`'s own argument parser and options, so a tool's result is
the JSON contract `rubric score --format json` prints for the same repository and options, and
trust follows the same rules.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs

from rubric_lsp.agents.prompt import PromptFormat, build, render
from rubric_lsp.commands.score import add_arguments, options_from, relative_to_root
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring.engine import ProgressCallback, ScoreResult, run_scoring
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.options import ScoreOptions
from rubric_lsp.scoring.report import critique_block, score_block
from rubric_lsp.scoring.rubricfile import LoadedRubric, load, root_rubrics


@dataclass(frozen=True)
class ServerConfig:
    """Where the server scores and how: the repository, its rubric, trust and the cache."""

    repo: str = "."
    rubric: str | None = None
    trusted: bool = False
    use_cache: bool = True


def score_arguments(
    config: ServerConfig,
    base: str | None = None,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> list[str]:
    """The `rubric score` command line a tool call stands for."""
    argv = ["--repo", config.repo, "--format", "json"]
    if config.rubric:
        argv += ["--rubric", config.rubric]
    if base:
        argv += ["--base", base]
    if not config.trusted:
        argv.append("--untrusted")
    if not config.use_cache:
        argv.append("--no-cache")
    for name in only:
        argv += ["--only", name]
    for name in skip:
        argv += ["--skip", name]
    return argv


def score_options(
    config: ServerConfig,
    base: str | None = None,
    patch: str | None = None,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> ScoreOptions:
    """The options `rubric score` would use; a bad check name or value raises ScoringError."""
    parser = argparse.ArgumentParser(prog="rubric score", add_help=False)
    add_arguments(parser)
    options = options_from(parser.parse_args(score_arguments(config, base, only, skip)))
    # A patch is text in a tool call; the CLI reads the same bytes from a file or stdin.
    return attrs.evolve(options, patch=patch.encode("utf-8")) if patch is not None else options


def score_in_thread(options: ScoreOptions, progress: ProgressCallback | None) -> ScoreResult:
    """Score in a fresh event loop, in a worker thread; the rubric named as `rubric score` does."""

    async def scored() -> ScoreResult:
        result = await run_scoring(options, progress)
        return relative_to_root(result, (await Repository.find(options.repo)).root)

    return asyncio.run(scored())


def gain(result: ScoreResult, name: str) -> float:
    """What raising one criterion to a score of 1 would add to the weighted score."""
    scored = [c for c in result.criteria.values() if c.score is not None]
    total_weight = sum(c.weight for c in scored)
    criterion = result.criteria[name]
    if not total_weight or criterion.score is None:
        return 0.0
    return criterion.weight * (1.0 - criterion.score) / total_weight


def weak_criteria(result: ScoreResult) -> dict[str, Any]:
    """The criteria below the threshold, the biggest possible gain first, with their evidence."""
    ranked = sorted(result.weak, key=lambda c: (-gain(result, c.name), c.name))
    return {
        "heal_threshold": result.heal_threshold,
        "final_score": None if result.final_score is None else round(result.final_score, 4),
        "accepted": result.accepted,
        "failed_rules": result.failed_rules,
        "weak": [
            {"name": c.name, "gain": round(gain(result, c.name), 4), **c.to_json()} for c in ranked
        ],
        "errors": {c.name: c.comment for c in result.criteria.values() if c.status == "error"},
    }


def critique(result: ScoreResult) -> dict[str, Any]:
    """The measured points as a ``rescore`` block and the ``critique`` block of the weak ones."""
    measured = score_block(result).replace("score {", "rescore {", 1)
    return {"rescore": measured, "critique": critique_block(result), "accepted": result.accepted}


def check_rubric(text: str) -> list[dict[str, Any]]:
    """A rubric text's diagnostics, positions 1-based as `rubric check` prints them."""
    found = []
    for diagnostic in validate(parse(text)):
        start, end = diagnostic.range
        found.append(
            {
                "line": start.line + 1,
                "column": start.character + 1,
                "end_line": end.line + 1,
                "end_column": end.character + 1,
                "severity": diagnostic.severity.label,
                "code": diagnostic.code,
                "message": diagnostic.message,
            }
        )
    return found


def rubric_path(config: ServerConfig) -> Path | None:
    """The rubric file the server serves: --rubric, else the one at the root, if any."""
    if config.rubric:
        return Path(config.rubric)
    found = root_rubrics(Path(config.repo))
    return found[0] if len(found) == 1 else None


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
