"""The judge's words: describe=, check=judge and the judge's settings in a checks block."""

from __future__ import annotations

from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.language.vocabulary import CHECK_SETTING_FIELDS, CRITERION_ATTRIBUTES, word_doc

JUDGED = """reward_rubric {
  criterion edge_cases check=judge describe="empty and huge inputs are handled"
}
"""


def _codes(text: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in validate(parse(text))]


def test_describe_is_read_from_the_criterion() -> None:
    (criterion,) = parse(JUDGED).criteria
    assert criterion.describe == "empty and huge inputs are handled"
    assert criterion.check_name == "judge"


def test_a_judged_criterion_with_an_endpoint_is_clean() -> None:
    text = JUDGED + 'checks {\n  judge url="http://127.0.0.1:8080/v1" model="m" timeout=30\n}\n'
    assert _codes(text) == []


def test_without_an_endpoint_the_warning_says_how_to_configure_one() -> None:
    ((code, message),) = _codes(JUDGED)
    assert code == "judge-without-endpoint"
    assert 'judge url="' in message and "--judge-url" in message and "RUBRIC_JUDGE_URL" in message


def test_the_judge_settings_are_checked() -> None:
    text = JUDGED + 'checks { judge url=5 urll="x" timeout=soon }\n'
    codes = [code for code, _ in _codes(text)]
    assert codes.count("invalid-value") == 2
    assert "unknown-attribute" in codes
    bad_describe = "reward_rubric {\n  criterion edge_cases describe=3\n}\n"
    assert [code for code, _ in _codes(bad_describe)] == ["invalid-value"]


def test_hover_texts_exist_for_the_new_words() -> None:
    assert "describe" in CRITERION_ATTRIBUTES
    assert {"url", "model"} <= set(CHECK_SETTING_FIELDS)
    assert "judge" in (word_doc("url", "checks", is_attribute=True) or "")
    assert "check=judge" in (word_doc("describe") or "")
