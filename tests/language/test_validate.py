"""Every diagnostic code, with its exact position, on small documents."""

from __future__ import annotations

import pytest

from rubric_lsp.language.model import Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import CODES, validate

RUBRIC = "reward_rubric {\n  criterion correctness weight=5\n  criterion tests weight=5\n}\n"

# (name, source, expected [(code, 1-based line, 1-based column, suggestion or None)])
CASES: list[tuple[str, str, list[tuple[str, int, int, str | None]]]] = [
    ("syntax error", "reward_rubric {\n  criterion weight=5\n}\n", [("syntax-error", 2, 19, None)]),
    (
        "unterminated string",
        'task { title "abc\n}\n' + RUBRIC,
        [("unterminated-string", 1, 14, None)],
    ),
    ("missing rubric", 'task { title "x" }\n', [("missing-rubric", 1, 1, None)]),
    ("empty rubric", "reward_rubric { }\n", [("empty-rubric", 1, 1, None)]),
    (
        "unknown block",
        RUBRIC + "scores { correctness 4 }\n",
        [("unknown-block", 5, 1, "score")],
    ),
    (
        "unknown task field",
        'task { titel "x" }\n' + RUBRIC,
        [("unknown-field", 1, 8, "title")],
    ),
    (
        "unknown rubric field",
        "reward_rubric {\n  critrion correctness weight=5\n  criterion tests weight=5\n}\n",
        [("unknown-field", 2, 3, "criterion")],
    ),
    (
        "unknown attribute",
        "reward_rubric {\n  criterion a weigth=5\n  criterion b\n}\n",
        [("unknown-attribute", 2, 15, "weight")],
    ),
    (
        "unknown check",
        "reward_rubric {\n  criterion a check=pylnt\n  criterion b\n}\n",
        [("unknown-check", 2, 21, "pylint")],
    ),
    (
        "unknown check in checks block",
        RUBRIC + 'checks { tets command="pytest" }\n',
        [("unknown-check", 5, 10, "tests")],
    ),
    (
        "unknown check setting",
        RUBRIC + 'checks { tests comand="pytest" }\n',
        [("unknown-attribute", 5, 16, "command")],
    ),
    (
        "invalid check setting",
        RUBRIC + "checks { tests command=pytest timeout=0 repeat=1.5 }\n",
        [
            ("invalid-value", 5, 24, None),
            ("invalid-value", 5, 39, None),
            ("invalid-value", 5, 48, None),
        ],
    ),
    (
        "invalid check binding",
        "reward_rubric {\n  criterion a check=5\n  criterion b\n}\n",
        [("invalid-value", 2, 21, None)],
    ),
    ("duplicate block", RUBRIC + RUBRIC, [("duplicate-block", 5, 1, None)]),
    (
        "duplicate criterion",
        "reward_rubric {\n  criterion a\n  criterion b\n  criterion a\n}\n",
        [("duplicate-criterion", 4, 13, None)],
    ),
    (
        "duplicate task field",
        'task { title "a" title "b" constraints "c" constraints "d" }\n' + RUBRIC,
        [("duplicate-field", 1, 18, None)],
    ),
    (
        "non-positive weight",
        "reward_rubric {\n  criterion a weight=0\n  criterion b weight=-2\n  criterion c weight=x\n}\n",
        [
            ("invalid-weight", 2, 22, None),
            ("invalid-weight", 3, 22, None),
            ("invalid-weight", 4, 22, None),
        ],
    ),
    (
        "bad scale order",
        "reward_rubric {\n  scale 5..1\n  criterion a\n}\n",
        [("invalid-scale", 2, 9, None)],
    ),
    (
        "bad scale fraction",
        "reward_rubric {\n  scale 0..2.5\n  criterion a\n}\n",
        [("invalid-scale", 2, 9, None)],
    ),
    (
        "duplicate scale",
        "reward_rubric {\n  scale 0..5\n  scale 0..10\n  criterion a\n}\n",
        [("duplicate-field", 3, 3, None)],
    ),
    (
        "undefined criterion in score",
        RUBRIC + "score {\n  correctnes 4\n  tests 4\n}\n",
        [("undefined-criterion", 6, 3, "correctness")],
    ),
    (
        "undefined criterion in rescore",
        RUBRIC + "rescore { correctness 4 tsts 5 tests 5 }\n",
        [("undefined-criterion", 5, 25, "tests")],
    ),
    (
        "undefined criterion in critique",
        RUBRIC + 'critique { revise tset "add tests" }\n',
        [("undefined-criterion", 5, 19, "tests")],
    ),
    (
        "undefined criterion in minimum",
        RUBRIC + "accept_if { minimum corectness 4 }\n",
        [("undefined-criterion", 5, 21, "correctness")],
    ),
    (
        "unknown critique verb",
        RUBRIC + "critique { revize tests }\n",
        [("unknown-verb", 5, 12, "revise")],
    ),
    (
        "score out of scale",
        RUBRIC + "score { correctness 6 tests -1 }\n",
        [("score-out-of-scale", 5, 21, None), ("score-out-of-scale", 5, 29, None)],
    ),
    (
        "minimum out of scale",
        RUBRIC + "accept_if { minimum tests 7 }\n",
        [("score-out-of-scale", 5, 27, None)],
    ),
    (
        "unreachable total",
        RUBRIC + "accept_if { total_gte 11 }\n",
        [("unreachable-total", 5, 23, None)],
    ),
    (
        "weighted threshold out of range",
        RUBRIC + "accept_if { weighted_gte 80 }\nreview_if { weighted_between -0.1 0.5 }\n",
        [("threshold-out-of-range", 5, 26, None), ("threshold-out-of-range", 6, 30, None)],
    ),
    (
        "percent threshold is fine",
        RUBRIC + "accept_if { weighted_gte 80% }\n",
        [],
    ),
    (
        "inverted review range",
        RUBRIC + "review_if { weighted_between 0.7 0.5 }\n",
        [("invalid-range", 5, 30, None)],
    ),
    (
        "unknown rule",
        RUBRIC + "accept_if { total_ge 9 }\n",
        [("unknown-rule", 5, 13, "total_gte")],
    ),
    (
        "rule in the wrong block",
        RUBRIC + "accept_if { weighted_between 0.5 0.7 }\n",
        [("unknown-rule", 5, 13, None)],
    ),
    (
        "rule with wrong arguments",
        RUBRIC + "accept_if { minimum 4 total_gte tests 3 }\n",
        [("invalid-arguments", 5, 13, None), ("invalid-arguments", 5, 23, None)],
    ),
    (
        "percent where points are needed",
        RUBRIC + "accept_if { total_gte 50% }\n",
        [("invalid-value", 5, 23, None)],
    ),
    (
        "unscored criterion",
        "reward_rubric {\n  criterion correctness\n  criterion architecture\n  criterion edge_cases\n}\n"
        "score { edge_cases 3 }\n",
        [("unscored-criterion", 3, 13, None)],
    ),
    (
        "dominant weight",
        "reward_rubric {\n  criterion a weight=6\n  criterion b weight=2\n  criterion c weight=2\n}\n",
        [("dominant-weight", 2, 15, None)],
    ),
    (
        "too many criteria",
        "reward_rubric {\n" + "".join(f"  criterion c{i}\n" for i in range(13)) + "}\n",
        [("too-many-criteria", 1, 1, None)],
    ),
    (
        "revise at maximum",
        RUBRIC + "score { correctness 5 tests 3 }\ncritique { revise correctness revise tests }\n",
        [("revise-at-maximum", 6, 19, None)],
    ),
    (
        "duplicate score entry",
        RUBRIC + "score { tests 3 tests 4 }\n",
        [("duplicate-score", 5, 17, None)],
    ),
    (
        "judged criterion without an endpoint",
        'reward_rubric {\n  criterion edge_cases check=judge describe="empty input"\n}\n',
        [("judge-without-endpoint", 2, 13, None)],
    ),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_diagnostic(source: str, expected: list[tuple[str, int, int, str | None]]) -> None:
    found = [
        (d.code, d.range.start.line + 1, d.range.start.character + 1, d.suggestion)
        for d in validate(parse(source))
    ]
    assert found == expected


def test_every_code_is_covered() -> None:
    covered = {code for _, _, expected in CASES for code, *_ in expected}
    # These two need inputs too large or too broken for a table row; tests in test_parser.
    covered |= {"file-too-large", "too-many-errors"}
    assert covered == set(CODES)


def test_severity_comes_from_the_code_table() -> None:
    source = RUBRIC + "score { tests 3 tests 4 correctness 9 }\n"
    for diagnostic in validate(parse(source)):
        assert diagnostic.severity == CODES[diagnostic.code]
    assert CODES["unscored-criterion"] == Severity.WARNING


def test_messages_say_how_to_fix() -> None:
    diagnostics = validate(parse(RUBRIC + "scores { correctness 4 }\n"))
    assert diagnostics[0].message == "unknown block 'scores'; did you mean 'score'?"
    diagnostics = validate(parse("reward_rubric { criterion a weight=0 criterion b }"))
    assert diagnostics[0].message == "weight must be a positive number, not 0"


def test_bound_criteria_need_no_hand_score() -> None:
    source = "reward_rubric {\n  criterion security\n  criterion style check=pylint\n  criterion a\n}\nscore { a 3 }\n"
    assert validate(parse(source)) == []
