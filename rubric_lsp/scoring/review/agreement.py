"""How well the measured points agree with people's labels, per criterion.

Over the labelled items of the queue, for each criterion: n, Spearman's rho (scipy), Cohen's kappa
with quadratic weights on the scale's whole points (scikit-learn; measured and human points
are rounded to the nearest whole point of the scale first), the mean absolute error and the
bias (mean measured - human) in points, each with a 95 % percentile bootstrap interval from
1,000 resamples of the items drawn with numpy's generator seeded with 0 (so the same labels
always give the same interval); and, over the items several people labelled, Krippendorff's alpha
between the people at the interval level (the points are equally spaced), from the
`krippendorff` package. A figure that is not defined (too few items, constant ratings) is
None with the reason, never 0 or 1.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rubric_lsp.language.gate import Agreement
from rubric_lsp.scoring.review.queue import ReviewItem, ReviewQueue

RESAMPLES = 1000
SEED = 0
# A bootstrap interval needs the statistic defined in most resamples to mean anything.
DEFINED_SHARE = 0.5


@dataclass(frozen=True)
class Figure:
    """One statistic: its value and 95 % interval, or None with why it is not defined."""

    value: float | None
    low: float | None = None
    high: float | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{"value", "ci95": [low, high] | null, "reason"}``; numbers rounded to 4 places."""
        interval = None if self.low is None or self.high is None else [_r(self.low), _r(self.high)]
        return {"value": _r(self.value), "ci95": interval, "reason": self.reason}


@dataclass(frozen=True)
class CriterionAgreement:
    """Every figure of one criterion."""

    name: str
    n: int
    spearman: Figure
    kappa: Figure
    mae: Figure
    bias: Figure
    alpha: Figure
    alpha_items: int = 0
    scale: tuple[float, float] = (0.0, 5.0)
    measured: tuple[float, ...] = field(default=(), repr=False)
    human: tuple[float, ...] = field(default=(), repr=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape `rubric calibrate --format json` prints per criterion."""
        return {
            "n": self.n,
            "spearman": self.spearman.to_json(),
            "kappa": self.kappa.to_json(),
            "mae": self.mae.to_json(),
            "bias": self.bias.to_json(),
            "alpha": {**self.alpha.to_json(), "items": self.alpha_items},
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _whole(points: np.ndarray[Any, Any], scale: tuple[float, float]) -> np.ndarray[Any, Any]:
    """Points rounded to the scale's whole points (half up), clipped to the scale."""
    low, high = scale
    return np.clip(np.floor(points + 0.5), low, high).astype(int)


def spearman(measured: np.ndarray[Any, Any], human: np.ndarray[Any, Any]) -> float | None:
    """Spearman's rho; None when either side is constant (no ranking to correlate)."""
    from scipy.stats import spearmanr

    if len(measured) < 2 or np.ptp(measured) == 0 or np.ptp(human) == 0:
        return None
    value = float(spearmanr(measured, human).statistic)
    return None if math.isnan(value) else value


def kappa(
    measured: np.ndarray[Any, Any], human: np.ndarray[Any, Any], scale: tuple[float, float]
) -> float | None:
    """Quadratic-weighted Cohen's kappa on whole points; None when chance agreement is total."""
    from sklearn.metrics import cohen_kappa_score

    if len(measured) < 2:
        return None
    low, high = scale
    labels = list(range(math.ceil(low), math.floor(high) + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(
            cohen_kappa_score(
                _whole(measured, scale), _whole(human, scale), labels=labels, weights="quadratic"
            )
        )
    return None if math.isnan(value) else value


# A statistic over each row of a (resamples x items) pair of arrays: NaN where undefined.
Rows = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], np.ndarray[Any, Any]]


def _rows_pearson(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Pearson's r of each row pair; NaN where a row is constant."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    spread = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, (a * b).sum(axis=1) / spread, np.nan)


def rows_spearman(m: np.ndarray[Any, Any], h: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Spearman's rho of each row: Pearson's r of scipy's average ranks, as spearmanr does."""
    from scipy.stats import rankdata

    return _rows_pearson(rankdata(m, axis=1), rankdata(h, axis=1))


def rows_kappa(scale: tuple[float, float]) -> Rows:
    """Quadratic-weighted kappa of each row, on whole points.

    With quadratic weights, 1 - observed/expected disagreement is exactly
    2 cov(x, y) / (var x + var y + (mean x - mean y)^2) (moments over the items), which gives
    every resample at once; tests/review compare it with scikit-learn's cohen_kappa_score.
    """

    def kappa_rows(m: np.ndarray[Any, Any], h: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = _whole(m, scale).astype(float), _whole(h, scale).astype(float)
        mx, my = x.mean(axis=1), y.mean(axis=1)
        cov = ((x - mx[:, None]) * (y - my[:, None])).mean(axis=1)
        expected = x.var(axis=1) + y.var(axis=1) + (mx - my) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(expected > 0, 2 * cov / expected, np.nan)

    return kappa_rows


def _rows_mae(m: np.ndarray[Any, Any], h: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(np.mean(np.abs(m - h), axis=1))


def _rows_bias(m: np.ndarray[Any, Any], h: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(np.mean(m - h, axis=1))


def _interval(
    rows: Rows, measured: np.ndarray[Any, Any], human: np.ndarray[Any, Any]
) -> tuple[float | None, float | None, str]:
    """A seeded percentile bootstrap over items; (None, None, why) when it means nothing."""
    n = len(measured)
    if n < 3:
        return None, None, f"an interval needs at least 3 labelled items, has {n}"
    picks = np.random.default_rng(SEED).integers(0, n, (RESAMPLES, n))
    values = rows(measured[picks], human[picks])
    values = values[~np.isnan(values)]
    if len(values) < DEFINED_SHARE * RESAMPLES:
        return None, None, "undefined in most bootstrap resamples (ratings nearly constant)"
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high), ""


def _figure(
    statistic: Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], float | None],
    rows: Rows,
    measured: np.ndarray[Any, Any],
    human: np.ndarray[Any, Any],
    undefined: str,
    least: int,
    intervals: bool = True,
) -> Figure:
    """A statistic and its interval, or why it is not defined."""
    n = len(measured)
    if n < least:
        return Figure(None, reason=f"needs at least {least} labelled item(s), has {n}")
    value = statistic(measured, human)
    if value is None:
        return Figure(None, reason=undefined)
    if not intervals:
        return Figure(value, reason="no interval asked for")
    low, high, why = _interval(rows, measured, human)
    return Figure(value, low, high, why)


def alpha(ratings: Sequence[Sequence[float | None]]) -> tuple[Figure, int]:
    """Krippendorff's alpha (interval) between people; rows are people, columns items."""
    import krippendorff

    data = np.array([[np.nan if v is None else v for v in row] for row in ratings], dtype=float)
    shared = int((np.sum(~np.isnan(data), axis=0) >= 2).sum()) if data.size else 0
    if len(ratings) < 2 or shared == 0:
        return Figure(None, reason="no item was labelled by two people or more"), shared
    pairable = data[:, np.sum(~np.isnan(data), axis=0) >= 2]
    values = pairable[~np.isnan(pairable)]
    if np.ptp(values) == 0:
        return Figure(None, reason="every person gave the same points: alpha is undefined"), shared
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    if math.isnan(value):
        return Figure(None, reason="alpha is undefined for these ratings"), shared
    return Figure(value, reason="no interval: alpha is computed once over the people"), shared


def _mae(measured: np.ndarray[Any, Any], human: np.ndarray[Any, Any]) -> float | None:
    return float(np.mean(np.abs(measured - human)))


def _bias(measured: np.ndarray[Any, Any], human: np.ndarray[Any, Any]) -> float | None:
    return float(np.mean(measured - human))


def criterion_agreement(
    name: str, items: Sequence[ReviewItem], scale: tuple[float, float], intervals: bool = True
) -> CriterionAgreement:
    """The figures of one criterion over the items that measured it and that people labelled.

    ``intervals=False`` skips the bootstrap: what a gate or a hover needs, quickly.
    """
    pairs = []
    people: dict[str, dict[str, float]] = {}
    for item in items:
        measured = item.measured_points().get(name)
        human = item.human_points().get(name)
        if measured is None or human is None:
            continue
        pairs.append((measured, human))
        for person, points in item.people_points().items():
            if name in points:
                people.setdefault(person, {})[item.id] = points[name]
    measured_points = np.array([m for m, _ in pairs], dtype=float)
    human_points = np.array([h for _, h in pairs], dtype=float)
    constant = "constant ratings on one side: no ranking to correlate"

    def weighted(m: np.ndarray[Any, Any], h: np.ndarray[Any, Any]) -> float | None:
        return kappa(m, h, scale)

    ids = sorted({i for ratings in people.values() for i in ratings})
    table = [[ratings.get(i) for i in ids] for ratings in people.values()]
    alpha_figure, shared = alpha(table)
    return CriterionAgreement(
        name=name,
        n=len(pairs),
        spearman=_figure(
            spearman, rows_spearman, measured_points, human_points, constant, 2, intervals
        ),
        kappa=_figure(
            weighted,
            rows_kappa(scale),
            measured_points,
            human_points,
            "both sides give one and the same point: kappa is undefined",
            2,
            intervals,
        ),
        mae=_figure(_mae, _rows_mae, measured_points, human_points, "", 1, intervals),
        bias=_figure(_bias, _rows_bias, measured_points, human_points, "", 1, intervals),
        alpha=alpha_figure,
        alpha_items=shared,
        scale=scale,
        measured=tuple(measured_points),
        human=tuple(human_points),
    )


def calibrate(items: Sequence[ReviewItem]) -> dict[str, CriterionAgreement]:
    """Every criterion's figures over the labelled items, criteria in first-seen order."""
    labelled = [item for item in items if item.labelled]
    names: dict[str, tuple[float, float]] = {}
    for item in labelled:
        for name in item.criteria:
            names.setdefault(name, item.scale)
    return {name: criterion_agreement(name, labelled, scale) for name, scale in names.items()}


def agreement_of(git_dir: Path, names: Sequence[str] | None = None) -> dict[str, Agreement]:
    """Kappa and n of the named criteria (None: every labelled one) over the queue's labels."""
    labelled = [item for item in ReviewQueue(git_dir).items() if item.labelled]
    if names is None:
        names = list(dict.fromkeys(name for item in labelled for name in item.criteria))
    found: dict[str, Agreement] = {}
    for name in names:
        scales = [item.scale for item in labelled if name in item.criteria]
        scale = scales[0] if scales else (0.0, 5.0)
        figures = criterion_agreement(name, labelled, scale, intervals=False)
        found[name] = Agreement(figures.kappa.value, figures.n)
    return found
