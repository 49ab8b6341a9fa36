"""`rubric loop`: run an agent command round by round until the rubric accepts its change."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rubric_lsp.agents.loop import LoopRun, run_loop
from rubric_lsp.agents.tools import ServerConfig, rubric_path, score_in_thread, score_options
from rubric_lsp.commands.output import print_error, verdict_line
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.report import cell

COMMAND = "loop"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric loop`."""
    parser.add_argument("--agent", required=True, metavar="CMD", help="the agent command")
    parser.add_argument("--max-rounds", type=int, default=3, metavar="N", help="(default: 3)")
    parser.add_argument(
        "--write", action="store_true", help="append each round's blocks to the rubric file too"
    )
    parser.add_argument("--repo", default=".", metavar="PATH", help="the repository (default: .)")
    parser.add_argument("--rubric", metavar="PATH", help="the rubric file (default: at the root)")
    parser.add_argument(
        "--untrusted", dest="trusted", action="store_false", help="run no repository code"
    )
    parser.add_argument("--no-cache", dest="use_cache", action="store_false")
    parser.add_argument("--only", action="append", metavar="CHECK", default=[])
    parser.add_argument("--skip", action="append", metavar="CHECK", default=[])
    parser.add_argument("--format", choices=("text", "json"), default="text")


def table(run: LoopRun) -> str:
    """Criterion scores by round, the weighted score, the deltas, flipped rules, self-grade gaps."""
    if not run.rounds:
        return f"stopped: {run.stopped}\n"
    names = list(run.rounds[0].result.criteria)
    width = max(len(n) for n in [*names, "weighted"]) + 2
    head = "".join(f"{'round ' + str(r.number):>9}" for r in run.rounds)
    lines = [f"{'criterion':<{width}}{head}"]
    for name in names:
        cells = "".join(f"{cell(r.result.criteria[name].score):>9}" for r in run.rounds)
        lines.append(f"{name:<{width}}{cells}")
    lines.append(
        f"{'weighted':<{width}}" + "".join(f"{cell(r.result.final_score):>9}" for r in run.rounds)
    )
    for before, after in zip(run.rounds, run.rounds[1:], strict=False):
        delta = (after.result.final_score or 0.0) - (before.result.final_score or 0.0)
        flips = "; ".join(after.flipped) or "no rule flipped"
        lines.append(f"round {before.number} → {after.number}: weighted {delta:+.2f}; {flips}")
    for r in run.rounds:
        if r.gap is not None:
            lines.append(f"round {r.number}: self-grade gap {r.gap:+.2f} points")
    lines += [f"stopped: {run.stopped}", verdict_line(run.rounds[-1].result.evaluation.verdict)]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Run the loop; 0 accepted, 1 rejected, 2 undecided or on errors."""
    config = ServerConfig(args.repo, args.rubric, args.trusted, args.use_cache)
    try:
        if args.max_rounds < 1:
            raise ScoringError("--max-rounds must be at least 1")
        rubric = rubric_path(config)
        if rubric is None:
            raise ScoringError(
                "no single *.rubric file at the repository root: pick one with --rubric"
            )
        options = score_options(config, only=args.only, skip=args.skip)
        loop = run_loop(
            options,
            args.agent,
            Path(rubric),
            args.max_rounds,
            lambda o: score_in_thread(o, None),
            write=args.write,
        )
    except ScoringError as error:
        print_error(COMMAND, str(error))
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(loop.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(table(loop))
    return loop.exit_code
