"""Points, scores, totals and verdicts on scales that do not start at 0."""

from __future__ import annotations

import pytest

from rubric_lsp.language.evaluate import Subscore, evaluate, points_label
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate


def rubric(scale: str, scores: str = "", rules: str = "") -> str:
    """Two criteria on a scale, with optional hand scores and accept rules."""
    text = f"reward_rubric {{\n  scale {scale}\n  criterion correctness\n  criterion clarity\n}}\n"
    if scores:
        text += f"score {{\n{scores}\n}}\n"
    if rules:
        text += f"accept_if {{\n{rules}\n}}\n"
    return text


def test_measured_zero_is_the_lowest_point_of_the_scale() -> None:
    document = parse(rubric("1..5"))
    result = evaluate(document, {"correctness": Subscore(0.0), "clarity": Subscore(1.0)})
    assert result.criteria["correctness"].points == 1.0
    assert result.criteria["clarity"].points == 5.0
    assert result.total == 6.0


def test_measured_half_is_the_middle_of_the_scale() -> None:
    result = evaluate(parse(rubric("1..5")), {"correctness": Subscore(0.5)})
    assert result.criteria["correctness"].points == 3.0


def test_hand_score_at_the_lowest_point_of_a_negative_scale_is_zero() -> None:
    text = rubric("-5..5", "  correctness -5\n  clarity 5")
    assert [d.code for d in validate(parse(text))] == []
    result = evaluate(parse(text))
    assert result.criteria["correctness"].score == 0.0
    assert result.criteria["clarity"].score == 1.0
    assert result.final_score == 0.5


def test_hand_score_in_the_middle_of_a_scale_from_one() -> None:
    result = evaluate(parse(rubric("1..5", "  correctness 3\n  clarity 1")))
    assert result.criteria["correctness"].score == 0.5
    assert result.criteria["clarity"].score == 0.0


def test_rules_compare_points_on_the_scale() -> None:
    text = rubric("1..5", rules="  total_gte 6\n  minimum correctness 1")
    result = evaluate(parse(text), {"correctness": Subscore(0.0), "clarity": Subscore(1.0)})
    assert result.accepted is True
    assert result.max_total == 10.0


@pytest.mark.parametrize(
    ("scale", "points", "expected"),
    [
        ((0.0, 5.0), 4.0, "4.0/5"),
        ((1.0, 5.0), 1.0, "1.0 on 1..5"),
        ((-5.0, 5.0), 0.0, "0.0 on -5..5"),
    ],
)
def test_points_label_names_the_scale(
    scale: tuple[float, float], points: float, expected: str
) -> None:
    assert points_label(points, scale) == expected
