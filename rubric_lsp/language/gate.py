"""Calibration gates: a criterion counts once its agreement with people is good enough."""

from __future__ import annotations

from dataclasses import dataclass

from rubric_lsp.language.model import Criterion
from rubric_lsp.language.vocabulary import (
    CRITERION_ATTRIBUTES,
    DEFAULT_MIN_AGREEMENT,
    DEFAULT_MIN_LABELS,
    accepts,
)


@dataclass(frozen=True)
class Agreement:
    """How a criterion's measured points agree with people's: kappa (None: undefined), n."""

    kappa: float | None
    labels: int


def calibration_gate(criterion: Criterion) -> tuple[float, int] | None:
    """A criterion's ``min_agreement`` and ``min_labels``, defaults filled; None without."""
    floor, count = criterion.attribute("min_agreement"), criterion.attribute("min_labels")
    if floor is None and count is None:
        return None
    agreement = DEFAULT_MIN_AGREEMENT
    if floor is not None and accepts(CRITERION_ATTRIBUTES["min_agreement"].value, floor.value):
        agreement = floor.value.number or agreement
    labels = DEFAULT_MIN_LABELS
    if count is not None and accepts(CRITERION_ATTRIBUTES["min_labels"].value, count.value):
        labels = int(count.value.number or labels)
    return agreement, labels


def gate_reason(gate: tuple[float, int], agreement: Agreement | None) -> str | None:
    """Why a gated criterion is left out; None once its agreement with people is enough."""
    floor, needed = gate
    kappa, labels = (agreement.kappa, agreement.labels) if agreement else (None, 0)
    if labels >= needed and kappa is not None and kappa >= floor:
        return None
    shown = "undefined" if kappa is None else f"{kappa:.2f}"
    return (
        f"left out until calibrated: kappa {shown} with people on {labels} label(s), "
        f"needs {floor:g} on {needed} (min_agreement, min_labels)"
    )
