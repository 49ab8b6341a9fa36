"""Calibration gates in the language: declared, validated, and applied by evaluate() from data."""

from __future__ import annotations

import pytest

from rubric_lsp.language.evaluate import Subscore, evaluate
from rubric_lsp.language.gate import Agreement
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring.review.labels import item_id_of, review_document
from rubric_lsp.scoring.review.queue import ReviewItem

RUBRIC = """\
reward_rubric {
  criterion correctness weight=1
  criterion taste weight=1 check=judge min_agreement=0.6 min_labels=30
}
checks { judge }
accept_if { minimum taste 3  weighted_gte 0.8 }
"""
MEASURED = {"correctness": Subscore(1.0), "taste": Subscore(0.2)}


@pytest.mark.parametrize(
    ("agreement", "gated"),
    [
        (None, True),
        (Agreement(0.9, 29), True),
        (Agreement(0.59, 40), True),
        (Agreement(None, 40), True),
        (Agreement(0.6, 30), False),
    ],
)
def test_a_gated_criterion_counts_only_once_people_agree(
    agreement: Agreement | None, gated: bool
) -> None:
    figures = {} if agreement is None else {"taste": agreement}
    evaluation = evaluate(parse(RUBRIC), MEASURED, figures)
    assert evaluation.criteria["taste"].points == pytest.approx(1.0)
    if gated:
        assert evaluation.accepted is True and evaluation.final_score == pytest.approx(1.0)
        assert evaluation.total == pytest.approx(5.0) and evaluation.max_total == 5.0
        assert "left out until calibrated" in evaluation.gated["taste"]
        minimum = evaluation.rules[0]
        assert minimum.passed is True and minimum.detail.startswith("taste left out")
    else:
        assert evaluation.gated == {} and evaluation.accepted is False
        assert evaluation.final_score == pytest.approx(0.6)
        assert evaluation.failed_rules == ["minimum taste 3", "weighted_gte 0.8"]


def test_a_hand_score_is_never_gated() -> None:
    text = RUBRIC + 'score { taste 1 "a person said so" }\n'
    evaluation = evaluate(parse(text), {"correctness": Subscore(1.0)})
    assert evaluation.gated == {} and evaluation.final_score == pytest.approx(0.6)
    assert evaluation.failed_rules == ["minimum taste 3", "weighted_gte 0.8"]


def test_either_attribute_alone_takes_the_others_default() -> None:
    text = RUBRIC.replace(" min_labels=30", "")
    assert "needs 0.6 on 30" in evaluate(parse(text), MEASURED).gated["taste"]
    text = RUBRIC.replace(" min_agreement=0.6", "").replace("min_labels=30", "min_labels=5")
    evaluation = evaluate(parse(text), MEASURED, {"taste": Agreement(0.61, 5)})
    assert evaluation.gated == {}


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ("min_agreement=1.5", "min_agreement takes a kappa in (0, 1]"),
        ("min_agreement=0", "min_agreement takes a kappa in (0, 1]"),
        ("min_labels=2.5", "min_labels takes a positive whole number"),
        ("min_labels=0", "min_labels takes a positive whole number"),
        ("min_agreemnt=0.6", "did you mean 'min_agreement'"),
    ],
)
def test_gate_attributes_are_validated(attribute: str, message: str) -> None:
    text = RUBRIC.replace("min_agreement=0.6 min_labels=30", attribute)
    assert any(message in d.message for d in validate(parse(text)))


def test_the_review_document_is_a_valid_rubric_naming_its_item() -> None:
    item = ReviewItem(
        id="0123456789ab",
        diff="",
        rubric="r.rubric",
        rubric_text=RUBRIC,
        rubric_hash="",
        base=None,
        base_ref="HEAD",
        criteria={"correctness": {"points": 5.0, "comment": "all passed"}, "taste": {}},
        final_score=0.6,
        verdict="rejected",
        scale=(0.0, 5.0),
        queued="",
    )
    text = review_document(item)
    assert item_id_of(text) == "0123456789ab"
    assert '  correctness 5 "all passed"' in text and '  taste 0 "measured: unscored"' in text
    assert [d.message for d in validate(parse(text)) if d.severity == 1] == []


def test_the_bootstrap_statistics_equal_scipy_and_scikit_learn_on_each_resample() -> None:
    import numpy as np
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    from rubric_lsp.scoring.review.agreement import rows_kappa, rows_spearman

    rng = np.random.default_rng(7)
    measured = rng.uniform(0, 5, (200, 8))
    human = np.clip(np.round(measured + rng.normal(0, 1, (200, 8))), 0, 5)
    kappas = rows_kappa((0.0, 5.0))(measured, human)
    rhos = rows_spearman(measured, human)
    for row in range(200):
        whole = np.clip(np.floor(measured[row] + 0.5), 0, 5).astype(int)
        expected = cohen_kappa_score(
            whole, human[row].astype(int), labels=list(range(6)), weights="quadratic"
        )
        assert kappas[row] == pytest.approx(expected, abs=1e-9)
        assert rhos[row] == pytest.approx(spearmanr(measured[row], human[row]).statistic, abs=1e-9)
