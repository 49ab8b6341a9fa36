"""What a test may conclude from a benchmark criterion measured on a shared, noisy machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def benchmark_ran(status: str, steps: Sequence[str]) -> bool:
    """Whether both sides of the benchmark ran: scored, or honestly inconclusive under load."""
    # Under load the comparison may be inconclusive: an `error` saying so, after both sides ran.
    return status == "scored" or (status == "error" and "inconclusive" in " ".join(steps))


def benchmark_ran_json(criterion: Mapping[str, Any]) -> bool:
    """The same for a criterion of the JSON report."""
    return benchmark_ran(str(criterion["status"]), [str(step) for step in criterion["steps"]])
