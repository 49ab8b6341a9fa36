"""`rubric eval`: the acceptance step over the hand scores in a rubric, running nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rubric_lsp.commands.files import UsageError, read_source
from rubric_lsp.commands.output import diagnostic_line, print_error, verdict_line
from rubric_lsp.language.evaluate import Evaluation, evaluate
from rubric_lsp.language.model import Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """The JSON shape of an evaluation (keys documented in docs/language.md)."""
    return {
        "criteria": {
            name: {
                "points": result.points,
                "score": result.score,
                "weight": result.weight,
                "check": result.check,
                "status": result.status,
                "comment": result.comment,
            }
            for name, result in evaluation.criteria.items()
        },
        "total": evaluation.total,
        "max_total": evaluation.max_total,
        "final_score": evaluation.final_score,
        "accepted": evaluation.accepted,
        "review": evaluation.review,
        "failed_rules": evaluation.failed_rules,
        "verdict": evaluation.verdict,
        "undecided_rules": evaluation.undecided_rules,
    }


def verdict(evaluation: Evaluation) -> str:
    """One word for the outcome, with the review flag."""
    return evaluation.verdict_text()


def _print_text(evaluation: Evaluation, console: Console) -> None:
    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("criterion", "weight", "points", "score", "comment"):
        table.add_column(
            column, justify="right" if column in ("weight", "points", "score") else "left"
        )
    for result in evaluation.criteria.values():
        table.add_row(
            result.name,
            f"{result.weight:g}",
            "-" if result.points is None else f"{result.points:g}",
            "-" if result.score is None else f"{result.score:.2f}",
            result.comment if result.status == "scored" else result.status,
        )
    console.print(table)
    final = "-" if evaluation.final_score is None else f"{evaluation.final_score:.2f}"
    console.print(
        f"total {evaluation.total:g}/{evaluation.max_total:g}   weighted {final}", highlight=False
    )
    for rule in evaluation.rules:
        mark = rule.mark
        console.print(f"  {mark}  {rule.text}  ({rule.detail})", highlight=False)
    console.print(verdict_line(verdict(evaluation)), highlight=False)


def run_eval(path: str, output_format: str) -> int:
    """Evaluate one rubric; exit 0 accepted (or no accept_if), 1 rejected, 2 on errors."""
    try:
        source = read_source(Path(path))
    except UsageError as error:
        print_error("eval", str(error))
        return 2
    document = parse(source.text)
    errors = [d for d in validate(document) if d.severity == Severity.ERROR]
    if source.encoding_error:
        errors.insert(0, source.encoding_error)
    if errors:
        for d in errors:
            print(diagnostic_line(path, d), file=sys.stderr)
        return 2
    evaluation = evaluate(document)
    if output_format == "json":
        print(json.dumps(evaluation_json(evaluation), indent=2))
    else:
        _print_text(evaluation, Console(soft_wrap=True))
    return evaluation.exit_code
