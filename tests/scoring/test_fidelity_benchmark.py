"""The benchmark's noise rule: real regressions found, identical runs left alone, by simulation."""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from rubric_lsp.scoring.critics import benchmark

PAIRS = 1000
REPEAT = 5
CAP = REPEAT * benchmark.MAX_REPEAT_FACTOR
# Run-to-run noise of the synthetic benchmark: lognormal, 10% per run.
NOISE = 0.10


def test_one_slow_run_does_not_hide_a_huge_regression() -> None:
    """Base 2 ms three times, new 1.0, 3.0, 1.2 s: a 600x regression with one slow run."""
    score, reasons = benchmark.compare([0.002, 0.002, 0.002], [1.0, 3.0, 1.2])
    assert score == 0.0
    assert "Regression" in reasons[2]


def test_seed_vector_with_tight_runs() -> None:
    """Seed 000: 50 ms -> 65 ms, five tight runs a side, scores 0.4."""
    base = [0.0500, 0.0501, 0.0499, 0.0502, 0.0500]
    new = [0.0650, 0.0649, 0.0651, 0.0650, 0.0652]
    score, reasons = benchmark.compare(base, new)
    assert score == pytest.approx(0.4)
    assert "Regression 30%" in reasons[2]


def test_noisy_runs_with_a_large_difference_are_inconclusive() -> None:
    """Medians 30% apart inside a wide scatter: not 1.0, not a score."""
    base = [100.0, 60.0, 150.0, 90.0, 130.0]
    new = [130.0, 80.0, 190.0, 70.0, 160.0]
    score, reasons = benchmark.compare(base, new, "printed")
    assert score is None
    assert "inconclusive" in reasons[-1]


def _outcomes(ratio: float, outlier: bool, seed: int) -> list[float | None]:
    """Scores of PAIRS simulated comparisons through the critic's own run loop."""
    rng = random.Random(seed)

    async def trial() -> float | None:
        slow_side = rng.choice(("base", "new")) if outlier else ""
        slow_run = rng.randrange(REPEAT)
        counts = {"base": 0, "new": 0}

        def runner(side: str, median: float) -> benchmark.Runner:
            async def run() -> benchmark.Sample:
                seconds = median * math.exp(rng.gauss(0.0, NOISE))
                if side == slow_side and counts[side] == slow_run:
                    seconds *= rng.uniform(3.0, 10.0)  # a busy machine's slow run
                counts[side] += 1
                return benchmark.Sample(seconds, None)

            return run

        base, new = await benchmark.collect_runs(
            runner("new", 0.05 * ratio), runner("base", 0.05), [], REPEAT, CAP
        )
        return benchmark.compare([s.seconds for s in base], [s.seconds for s in new])[0]

    async def trials() -> list[float | None]:
        return [await trial() for _ in range(PAIRS)]

    return asyncio.run(trials())


def test_simulated_miss_and_false_alarm_rates() -> None:
    """2x regressions with one outlier in five runs are all caught; identical runs rarely flag."""
    doubled = _outcomes(2.0, outlier=True, seed=1)
    missed = sum(score == 1.0 for score in doubled) / PAIRS
    unsettled = sum(score is None for score in doubled) / PAIRS
    assert missed == 0.0
    assert unsettled == 0.0
    identical = _outcomes(1.0, outlier=True, seed=2)
    false_alarms = sum(score is not None and score < 1.0 for score in identical) / PAIRS
    assert false_alarms <= 0.05
    print(f"miss {missed:.1%}, false alarm {false_alarms:.1%}")
