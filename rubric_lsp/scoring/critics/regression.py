"""Telling a slowdown from run-to-run noise: robust statistics on two samples of benchmark runs.

The rule, measured by tests/scoring/test_fidelity_benchmark.py on 1,000 synthetic pairs:

* The change is compared by the ratio of medians R = median(new) / median(base); medians
  ignore the one slow run a busy machine gives.
* Noise is the runs' own dispersion, scale-free: the median absolute deviation of the
  logarithms of the runs around their side's median (both sides pooled, normal-scaled), and
  from it the standard error of the log ratio of medians.
* A difference is real when ln R lies outside ``BAND`` standard errors **and**, with at least
  three runs on each side, a one-sided Mann-Whitney U test agrees at ``ALPHA``. With fewer
  runs there is no rank test and no noise estimate beyond the band; one run each compares the
  medians as they are.
* A difference that is not real but larger than ``TOLERANCE`` is inconclusive: the critic runs
  more pairs, up to a cap, and then reports an error rather than a score.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Literal

from scipy import stats

# The standard errors ln R must exceed: wide enough that five noisy runs a side rarely cross it.
BAND = 3.0
# The rank test's one-sided level: the false-alarm rate on identical runs stays under it.
ALPHA = 0.05
# A slowdown up to 10% that the runs cannot confirm is noise; above it, it needs more runs.
TOLERANCE = 0.10
# Runs too noisy to rule out a slowdown this large settle nothing, whatever their medians say.
HIDDEN = 0.5
# The standard error of a median is sqrt(pi/2) times that of a mean for normal data.
MEDIAN_EFFICIENCY = math.sqrt(math.pi / 2)
# The normal distribution's upper quartile: a normal sample's MAD is this many sigmas.
NORMAL_QUARTILE = statistics.NormalDist().inv_cdf(0.75)

Outcome = Literal["regression", "unchanged", "inconclusive"]


@dataclass(frozen=True)
class Comparison:
    """Two samples' medians, their noise and whether the difference is real."""

    base_median: float
    new_median: float
    # new median / base median - 1: the relative slowdown (negative: faster).
    ratio: float
    # Standard error of ln(1 + ratio) from the pooled median absolute deviation; None: one run.
    standard_error: float | None
    # One-sided Mann-Whitney p-value that new runs are slower; None below three runs a side.
    p_value: float | None
    outcome: Outcome


def standard_error(base: list[float], new: list[float]) -> float | None:
    """Standard error of ln(median new / median base), or None with a single run a side."""
    if len(base) < 2 or len(new) < 2:
        return None
    deviations = [
        math.log(value) - math.log(statistics.median(side))
        for side in (base, new)
        for value in side
    ]
    # The median absolute deviation, scaled to a normal standard deviation (as scipy's
    # median_abs_deviation(scale="normal"), whose input checks cost milliseconds a call).
    centre = statistics.median(deviations)
    spread = statistics.median(abs(d - centre) for d in deviations) / NORMAL_QUARTILE
    return MEDIAN_EFFICIENCY * spread * math.sqrt(1 / len(base) + 1 / len(new))


def slower_p_value(base: list[float], new: list[float]) -> float | None:
    """One-sided Mann-Whitney U p-value for "new runs are slower", from three runs a side."""
    if len(base) < 3 or len(new) < 3:
        return None
    if len(set(base + new)) == 1:
        return 1.0  # all equal: no ordering at all
    return float(stats.mannwhitneyu(new, base, alternative="greater").pvalue)


def compare_runs(base: list[float], new: list[float]) -> Comparison:
    """Decide between a real slowdown, no slowdown and not enough evidence."""
    base_median, new_median = statistics.median(base), statistics.median(new)
    if base_median <= 0:
        return Comparison(base_median, new_median, 0.0, None, None, "unchanged")
    ratio = new_median / base_median - 1
    if min(base + new) <= 0:
        # Printed numbers at or below zero have no logarithm: the medians as they stand.
        outcome_as_is: Outcome = "regression" if ratio > 0 else "unchanged"
        return Comparison(base_median, new_median, ratio, None, None, outcome_as_is)
    log_ratio = math.log1p(ratio)
    error = standard_error(base, new)
    outside = error is None or log_ratio > BAND * error
    # The rank test is the slow part: only asked when the band says "slower".
    p_value = slower_p_value(base, new) if log_ratio > 0 and outside else None
    ranked = p_value is None or p_value <= ALPHA
    hidden = error is not None and math.expm1(log_ratio + BAND * error) > HIDDEN
    if log_ratio > 0 and outside and ranked:
        outcome: Outcome = "regression"
    elif ratio <= TOLERANCE and not hidden:
        outcome = "unchanged"
    else:
        outcome = "inconclusive"
    return Comparison(base_median, new_median, ratio, error, p_value, outcome)


def more_runs(comparison: Comparison, runs: int, cap: int) -> bool:
    """Whether another pair of runs could settle an inconclusive comparison."""
    return comparison.outcome == "inconclusive" and runs < cap
