"""Quick-fix edits computed on snapshots, without a server."""

from __future__ import annotations

from lsprotocol import types
from support.lsp_client import apply_edits

from rubric_lsp.language.model import Position, Range
from rubric_lsp.lsp.convert import UTF16
from rubric_lsp.lsp.features.actions import quick_fixes
from rubric_lsp.lsp.snapshot import Snapshot


def fixes(text: str, line: int) -> dict[str, str]:
    """Title -> the text after applying that fix, for the fixes offered on one line."""
    snapshot = Snapshot("file:///t.rubric", 1, text, UTF16)
    actions = quick_fixes(snapshot, Range(Position(line, 0), Position(line, 999)))
    result = {}
    for action in actions:
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.edit is not None and action.edit.changes is not None
        result[action.title] = apply_edits(text, action.edit.changes["file:///t.rubric"])
    return result


def test_score_entry_in_a_one_line_block() -> None:
    text = "reward_rubric { criterion a criterion edge_cases }\nscore { a 4 }\n"
    assert fixes(text, 0) == {
        "Add a score entry for 'edge_cases' to the last score block": (
            "reward_rubric { criterion a criterion edge_cases }\n"
            'score { a 4 edge_cases 0 "not scored yet" }\n'
        )
    }


def test_score_entry_follows_the_block_indentation_and_scale() -> None:
    text = (
        "reward_rubric {\n\tscale 1..10\n\tcriterion a\n\tcriterion edge_cases\n}\n"
        "score {\n\ta 4\n}\nrescore {\n}\n"
    )
    (fixed,) = fixes(text, 3).values()
    assert fixed.endswith('rescore {\n  edge_cases 1 "not scored yet"\n}\n')
    text = text.replace("rescore {\n}\n", "")
    (fixed,) = fixes(text, 3).values()
    assert fixed.endswith('score {\n\ta 4\n\tedge_cases 1 "not scored yet"\n}\n')


def test_undefined_criterion_replace_or_define() -> None:
    text = "reward_rubric {\n  criterion tests\n}\nscore {\n  tsets 3\n}\n"
    assert fixes(text, 4) == {
        "Replace 'tsets' with 'tests'": text.replace("tsets", "tests"),
        "Define criterion 'tsets' in reward_rubric": text.replace(
            "criterion tests\n", "criterion tests\n  criterion tsets weight=1\n"
        ),
    }


def test_remove_a_duplicate_block_with_its_lines() -> None:
    text = (
        "reward_rubric { criterion a }\n"
        "accept_if {\n  total_gte 3\n}\n"
        "# keep me\n"
        "accept_if {\n  minimum a 2\n}\n"
    )
    assert fixes(text, 5) == {
        "Merge into the first 'accept_if' block (line 2)": (
            "reward_rubric { criterion a }\n"
            "accept_if {\n  total_gte 3\n  minimum a 2\n}\n# keep me\n"
        ),
        "Remove this duplicate 'accept_if' block": (
            "reward_rubric { criterion a }\naccept_if {\n  total_gte 3\n}\n# keep me\n"
        ),
    }


def test_merge_into_a_one_line_block() -> None:
    text = "reward_rubric { criterion a criterion b }\nscore { a 3 }\naccept_if { total_gte 3 }\naccept_if { minimum a 2 minimum b 1 }\n"
    merged = fixes(text, 3)["Merge into the first 'accept_if' block (line 3)"]
    assert merged.endswith("accept_if { total_gte 3 minimum a 2 minimum b 1 }\n")


def test_missing_rubric_gets_one() -> None:
    text = 'task { title "t" }\n'
    assert fixes(text, 0) == {
        "Add a reward_rubric block": "reward_rubric {\n  criterion correctness weight=1\n}\n" + text
    }


def test_remove_a_duplicate_criterion_sharing_its_line() -> None:
    text = "reward_rubric { criterion a criterion b criterion a weight=2 }\n"
    assert fixes(text, 0) == {
        "Remove the duplicate criterion 'a'": "reward_rubric { criterion a criterion b }\n"
    }


def test_no_fix_without_an_obvious_one() -> None:
    assert fixes("reward_rubric { criterion a weight=0 }\n", 0) == {}
