"""`rubric calibrate`: per criterion, how well the measured points agree with people's."""

from __future__ import annotations

import json

from rubric_lsp.scoring.review.agreement import CriterionAgreement, Figure, calibrate
from rubric_lsp.scoring.review.queue import ReviewQueue


def _cell(figure: Figure) -> str:
    """A figure with its interval, or the reason it is not defined."""
    if figure.value is None:
        return f"- ({figure.reason})"
    interval = "" if figure.low is None else f" [{figure.low:.2f}, {figure.high:.2f}]"
    return f"{figure.value:.2f}{interval}"


def text_lines(figures: dict[str, CriterionAgreement], labelled: int) -> list[str]:
    """The text report: one paragraph per criterion."""
    lines = [f"{labelled} labelled item(s); 95% intervals by bootstrap (1000 resamples, seed 0)"]
    for name, agreement in figures.items():
        lines.append(f"{name}: n={agreement.n}")
        lines.append(f"  spearman rho  {_cell(agreement.spearman)}")
        lines.append(f"  kappa (quadratic)  {_cell(agreement.kappa)}")
        lines.append(f"  MAE (points)  {_cell(agreement.mae)}")
        lines.append(f"  bias (measured - human)  {_cell(agreement.bias)}")
        lines.append(f"  alpha between people  {_cell(agreement.alpha)}")
    return lines


def run_calibrate(queue: ReviewQueue, form: str) -> int:
    """Print every criterion's agreement over the labelled items."""
    items = queue.items()
    figures = calibrate(items)
    labelled = sum(1 for item in items if item.labelled)
    if form == "json":
        data = {
            "labelled_items": labelled,
            "bootstrap": {"resamples": 1000, "seed": 0, "interval": "percentile 95%"},
            "criteria": {name: agreement.to_json() for name, agreement in figures.items()},
        }
        print(json.dumps(data, indent=2))
        return 0
    if not labelled:
        print(
            "no labelled item yet: `rubric review list`, then `rubric review label ID NAME=POINTS`"
        )
        return 0
    print("\n".join(text_lines(figures, labelled)))
    return 0
