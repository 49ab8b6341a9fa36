"""A criterion that could not be measured leaves the rules over it undecided, never failed."""

from __future__ import annotations

import pytest

from rubric_lsp.language.evaluate import Subscore, evaluate
from rubric_lsp.language.parser import parse

ERROR = Subscore(None, "error", "pytest is not installed in /p/.venv/bin/python")


def rubric(rules: str, scale: str = "0..5") -> str:
    """Correctness (weight 2) and style on a scale, with accept rules."""
    return (
        f"reward_rubric {{\n  scale {scale}\n  criterion correctness weight=2\n"
        f"  criterion style\n}}\naccept_if {{\n{rules}\n}}\n"
    )


def test_a_minimum_over_an_error_is_undecided_and_names_why() -> None:
    result = evaluate(
        parse(rubric("  minimum correctness 4")), {"correctness": ERROR, "style": Subscore(1.0)}
    )
    assert result.accepted is None and result.verdict == "undecided"
    assert result.failed_rules == [] and result.undecided_rules == ["minimum correctness 4"]
    assert result.rules[0].detail == "correctness is error: " + ERROR.comment
    assert result.rules[0].mark == "UNDECIDED"
    assert result.exit_code == 2
    assert result.verdict_text() == (
        "undecided (minimum correctness 4: correctness is error: " + ERROR.comment + ")"
    )


def test_a_rule_that_fails_on_what_was_measured_still_rejects() -> None:
    text = rubric("  minimum correctness 4\n  minimum style 4")
    result = evaluate(parse(text), {"correctness": ERROR, "style": Subscore(0.2)})
    assert result.verdict == "rejected" and result.accepted is False
    assert result.failed_rules == ["minimum style 4"]
    assert result.undecided_rules == ["minimum correctness 4"]
    assert result.exit_code == 1


def test_skipped_is_unmeasured_too() -> None:
    skipped = Subscore(None, "skipped", "the workspace is not trusted")
    result = evaluate(
        parse(rubric("  minimum correctness 4")), {"correctness": skipped, "style": Subscore(1.0)}
    )
    assert result.verdict == "undecided"
    assert "correctness is skipped: the workspace is not trusted" in result.verdict_text()


@pytest.mark.parametrize(
    ("rule", "style", "passed"),
    [
        # style 5 points; correctness in error could add 0..5.
        ("total_gte 4", 1.0, True),
        ("total_gte 11", 1.0, False),
        ("total_gte 8", 1.0, None),
        # weights 2 and 1: style alone 1.0 means 1/3 (correctness 0) to 1 (correctness 1).
        ("weighted_gte 0.3", 1.0, True),
        ("weighted_gte 0.5", 1.0, None),
        # style 0.0: at best 2/3.
        ("weighted_gte 0.7", 0.0, False),
    ],
)
def test_totals_are_decided_when_the_unmeasured_criterion_cannot_change_them(
    rule: str, style: float, passed: bool | None
) -> None:
    result = evaluate(parse(rubric(f"  {rule}")), {"correctness": ERROR, "style": Subscore(style)})
    assert result.rules[0].passed is passed, result.rules[0].detail
    assert result.accepted is passed
    # Decided rules say the bound they were decided on: the error criterion may move them.
    if passed is not None:
        assert ("at least" if passed else "at most") in result.rules[0].detail


def test_a_minimum_at_the_scales_low_end_holds_for_any_score() -> None:
    result = evaluate(
        parse(rubric("  minimum correctness 1", "1..5")),
        {"correctness": ERROR, "style": Subscore(1.0)},
    )
    assert result.verdict == "accepted"


def test_an_unscored_criterion_still_fails_its_minimum() -> None:
    """No check and no hand score is not a measurement that failed: `rubric eval` rejects."""
    text = rubric("  minimum correctness 4") + "score {\n  style 5\n}\n"
    result = evaluate(parse(text))
    assert result.criteria["correctness"].status == "unscored"
    assert result.verdict == "rejected" and result.failed_rules == ["minimum correctness 4"]
