"""Every feature of the server through the protocol, on real files."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from support import WORKFLOW
from support.lsp_client import (
    apply_edits,
    doc,
    open_document,
    position_of,
    published_for,
    replace_text,
    wait_for_diagnostics,
)

from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.language.format import format_text

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def complete(client: LanguageClient, uri: str, text: str, marker: str = "|") -> list[str]:
    """Labels offered at the marker, which is removed from the text first."""
    position = position_of(text, marker)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=position)
    )
    assert isinstance(result, types.CompletionList)
    # Every item explains itself.
    assert all(isinstance(item.documentation, types.MarkupContent) for item in result.items)
    ordered = sorted(result.items, key=lambda item: item.sort_text or item.label)
    return [item.label for item in ordered]


# Diagnostics


async def test_diagnostics_published_on_open_and_change_and_cleared_on_close(
    client: LanguageClient,
) -> None:
    uri = open_document(client, WORKFLOW.replace("minimum tests 4", "minimum tsets 4"))
    found = await wait_for_diagnostics(client, uri, version=1)
    assert [(d.code, d.range.start.line, d.data) for d in found] == [
        ("undefined-criterion", 41, {"suggestion": "tests"})
    ]
    replace_text(client, uri, 2, WORKFLOW.replace("revise", "revize", 1))
    found = await wait_for_diagnostics(client, uri, version=2)
    assert [d.code for d in found] == ["unknown-verb"]
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=doc(uri)))
    await wait_for_diagnostics(client, uri, lambda found: not found)
    assert published_for(client, uri)[-1].diagnostics == ()


async def test_latest_version_wins(client: LanguageClient) -> None:
    # Version 1 takes a while to check; version 2 arrives while it is being checked.
    slow = WORKFLOW + "".join(f"score {{ correctness {i % 5} }}\n" for i in range(6000))
    uri = open_document(client, "scroe { }\n" + slow)
    await asyncio.sleep(0.02)
    replace_text(client, uri, 2, WORKFLOW.replace("revise", "revize", 1))
    found = await wait_for_diagnostics(client, uri, version=2)
    assert [d.code for d in found] == ["unknown-verb"]
    await asyncio.sleep(0.5)
    # The check of version 1 finished after version 2 arrived: it is never published.
    assert [p.version for p in published_for(client, uri)] == [2]


async def test_pull_diagnostics(client: LanguageClient) -> None:
    uri = open_document(client, "reward_rubric { criterion a weight=0 }\n")
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in report.items] == ["invalid-weight"]
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=doc(uri), previous_result_id=report.result_id)
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_utf16_range_after_an_emoji(client: LanguageClient) -> None:
    text = 'task { title "ship it 🚀 café" titel "x" }\nreward_rubric { criterion a }\n'
    uri = open_document(client, text)
    (found,) = await wait_for_diagnostics(client, uri, version=1)
    assert found.code == "unknown-field"
    # 🚀 is one code point but two UTF-16 code units.
    column = text.index("titel") + 1
    assert found.range == types.Range(
        start=types.Position(line=0, character=column),
        end=types.Position(line=0, character=column + 5),
    )
    assert found.range.start == position_of(text, "titel")


# Completion


async def test_completion_in_a_broken_document(client: LanguageClient) -> None:
    # Half typed: unclosed blocks, a missing weight, an unterminated string.
    text = (
        "reward_rubric {\n"
        "  criterion correctness weight=\n"
        "  criterion tests weight=5 check=|\n"
        "  criterion docs\n"
        "score {\n"
        '  tests 3 "covers retry\n'
        "  correctness 4\n"
        "  \n"
    )
    uri = open_document(client, text.replace("|", ""))
    labels = await complete(client, uri, text)
    assert set(labels) == set(BUILTIN_CHECKS)
    in_score = text.replace("|", "").replace("correctness 4\n  \n", "correctness 4\n  |\n")
    labels = await complete(client, uri, in_score)
    # Criteria not yet scored in this block come first, then the others in rubric order.
    assert labels == ["docs", "correctness", "tests"]


async def test_completion_slots(client: LanguageClient) -> None:
    cases = {
        "|": {
            "task",
            "reward_rubric",
            "checks",
            "score",
            "critique",
            "rescore",
            "accept_if",
            "review_if",
        },
        "task {\n  |\n}": {"title", "objective", "constraints"},
        "reward_rubric {\n  |\n}": {"criterion", "scale"},
        "reward_rubric {\n  criterion a weight=2 |\n}": {
            "check=",
            "describe=",
            "min_agreement=",
            "min_labels=",
        },
        "reward_rubric {\n  criterion a |\n}": {
            "weight=",
            "check=",
            "describe=",
            "min_agreement=",
            "min_labels=",
        },
        "reward_rubric { criterion a }\ncritique {\n  |": {"revise"},
        "reward_rubric { criterion a }\ncritique {\n  revise |": {"a"},
        "reward_rubric { criterion a }\naccept_if {\n  |\n}": {
            "total_gte",
            "minimum",
            "weighted_gte",
        },
        "reward_rubric { criterion a }\naccept_if {\n  minimum |\n}": {"a"},
        "reward_rubric { criterion a }\nreview_if {\n  |\n}": {"weighted_between"},
        "checks {\n  tests |\n}": {
            "command=",
            "timeout=",
            "repeat=",
            "enabled=",
            "allow=",
            "url=",
            "model=",
        },
        "checks {\n  tests enabled=|\n}": {"true", "false"},
        'task {\n  title "abc |': set(),
        "# a comment |": set(),
        "reward_rubric { criterion a weight=|": set(),
    }
    for text, expected in cases.items():
        uri = open_document(client, text.replace("|", ""))
        assert set(await complete(client, uri, text)) == expected, text


async def test_completion_items_carry_documentation_and_snippets(client: LanguageClient) -> None:
    text = "reward_rubric {\n  criterion correctness weight=5\n  criterion tests\n}\n"
    uri = open_document(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=types.Position(line=4, character=0))
    )
    assert isinstance(result, types.CompletionList)
    score = next(item for item in result.items if item.label == "score")
    assert score.insert_text_format == types.InsertTextFormat.Snippet
    assert isinstance(score.text_edit, types.TextEdit)
    assert "correctness ${1:0}" in score.text_edit.new_text
    assert "tests ${3:0}" in score.text_edit.new_text
    assert all(isinstance(item.documentation, types.MarkupContent) for item in result.items)


async def test_completion_replaces_the_typed_prefix(client: LanguageClient) -> None:
    text = "reward_rubric {\n  criterion a wei|\n}\n"
    uri = open_document(client, text.replace("|", ""))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=position_of(text, "|"))
    )
    assert isinstance(result, types.CompletionList)
    weight = next(item for item in result.items if item.label == "weight=")
    assert isinstance(weight.text_edit, types.TextEdit)
    assert weight.text_edit.range == types.Range(
        start=types.Position(line=1, character=14), end=types.Position(line=1, character=17)
    )


# Hover


async def test_hover_on_a_criterion_and_a_keyword(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=position_of(WORKFLOW, "edge_cases", 2))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert "weight 5" in value and "17%" in value
    assert "Scored by hand" in value
    assert "Latest hand score: **4/5** (rescore, line 33)" in value
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=position_of(WORKFLOW, "total_gte", 0, 3))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**total_gte**")
    assert hover.range == types.Range(
        start=types.Position(line=39, character=2), end=types.Position(line=39, character=11)
    )


async def test_hover_on_a_check_binding(client: LanguageClient) -> None:
    text = "reward_rubric {\n  criterion style weight=2 check=pylint\n}\n"
    uri = open_document(client, text)
    on_check = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=position_of(text, "pylint", 0, 2))
    )
    on_name = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(uri), position=position_of(text, "style"))
    )
    assert on_check is not None and "pylint findings" in str(on_check.contents)
    assert on_name is not None and "Measured by check `pylint`" in str(on_name.contents)


# Navigation


async def test_definition_references_and_highlight(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW)
    at = position_of(WORKFLOW, "tests", 2)  # in the score block
    definition = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(uri), position=at)
    )
    assert isinstance(definition, list)
    assert [d.range.start for d in definition] == [types.Position(line=7, character=12)]
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(uri),
            position=at,
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert references is not None
    assert [r.range.start.line for r in references] == [16, 25, 31, 41]
    highlights = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=doc(uri), position=at)
    )
    assert highlights is not None
    assert [h.kind for h in highlights][:2] == [
        types.DocumentHighlightKind.Write,
        types.DocumentHighlightKind.Read,
    ]


async def test_rename_across_blocks(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW)
    at = position_of(WORKFLOW, "tests", 4)  # in the rescore block
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=at)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "tests"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(uri), position=at, new_name="test_quality")
    )
    assert edit is not None and edit.changes is not None
    renamed = apply_edits(WORKFLOW, edit.changes[uri])
    assert renamed == WORKFLOW.replace(" tests ", " test_quality ").replace(
        "  tests ", "  test_quality "
    )
    assert "tests" not in renamed.replace("max-retry test", "")
    nothing = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(uri), position=position_of(WORKFLOW, "title"))
    )
    assert nothing is None


async def test_rename_in_a_half_typed_document_renames_every_use(client: LanguageClient) -> None:
    # The last line is unfinished, so the parser drops what it cannot fit.
    text = WORKFLOW + "score {\n  tests 4\n  minimum"
    uri = open_document(client, text)
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=doc(uri), position=position_of(text, "tests"), new_name="coverage_"
        )
    )
    assert edit is not None and edit.changes is not None
    lines = sorted(e.range.start.line for e in edit.changes[uri])
    assert lines == [7, 16, 25, 31, 41, 45]


async def test_rename_to_an_invalid_or_taken_name_is_an_error(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW)
    at = position_of(WORKFLOW, "tests", 1)
    for bad in ("2fast", "score", "correctness"):
        with pytest.raises(Exception, match=r"not a name|is a keyword|already exists"):
            await client.text_document_rename_async(
                types.RenameParams(text_document=doc(uri), position=at, new_name=bad)
            )


# Symbols and folding


async def test_document_symbols_and_folding(client: LanguageClient) -> None:
    uri = open_document(client, WORKFLOW)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(uri))
    )
    assert symbols is not None
    assert [s.name for s in symbols] == [
        "task",
        "reward_rubric",
        "score",
        "critique",
        "rescore",
        "accept_if",
    ]
    rubric = symbols[1]
    assert isinstance(rubric, types.DocumentSymbol) and rubric.children is not None
    assert rubric.children[0].name == "correctness"
    assert rubric.children[0].detail == "weight=5"
    folds = await client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc(uri))
    )
    assert folds is not None
    assert [(f.start_line, f.end_line) for f in folds] == [
        (0, 4),
        (5, 12),
        (14, 21),
        (23, 27),
        (29, 36),
        (38, 43),
    ]


# Formatting


MESSY = (
    "reward_rubric {criterion correctness   weight=5\n"
    "    criterion tests weight=5 }  # two criteria\n"
    'score { correctness 4 "ok"   tests 5 }\n'
    "accept_if{total_gte 8}\n"
)


async def test_formatting_is_the_canonical_formatter_and_idempotent(client: LanguageClient) -> None:
    uri = open_document(client, MESSY)
    options = types.FormattingOptions(tab_size=4, insert_spaces=True)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc(uri), options=options)
    )
    assert edits
    formatted = apply_edits(MESSY, edits)
    assert formatted == format_text(MESSY)
    replace_text(client, uri, 2, formatted)
    again = await client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=doc(uri), options=options)
    )
    assert list(again or []) == []


async def test_range_formatting_touches_only_the_selected_block(client: LanguageClient) -> None:
    uri = open_document(client, MESSY)
    edits = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=doc(uri),
            range=types.Range(
                start=types.Position(line=2, character=0), end=types.Position(line=2, character=5)
            ),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits is not None
    result = apply_edits(MESSY, edits)
    assert result.splitlines()[:2] == MESSY.splitlines()[:2]
    assert 'score {\n  correctness 4 "ok"\n  tests 5\n}\naccept_if{total_gte 8}' in result


async def test_formatting_leaves_a_broken_document_alone(client: LanguageClient) -> None:
    uri = open_document(client, "reward_rubric { criterion a weight=\n")
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert list(edits or []) == []


# Quick fixes


async def _fixes(client: LanguageClient, uri: str, line: int) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc(uri),
            range=types.Range(
                start=types.Position(line=line, character=0),
                end=types.Position(line=line, character=200),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert found is not None
    return [a for a in found if isinstance(a, types.CodeAction)]


async def _apply_and_recheck(
    client: LanguageClient, uri: str, text: str, action: types.CodeAction
) -> tuple[str, list[types.Diagnostic]]:
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply_edits(text, action.edit.changes[uri])
    replace_text(client, uri, 2, fixed)
    return fixed, list(await wait_for_diagnostics(client, uri, version=2))


async def test_quick_fix_did_you_mean_applied_and_revalidated(client: LanguageClient) -> None:
    text = WORKFLOW.replace("minimum tests 4", "minimum tsets 4")
    uri = open_document(client, text)
    await wait_for_diagnostics(client, uri, bool, version=1)
    actions = await _fixes(client, uri, 41)
    assert actions[0].title == "Replace 'tsets' with 'tests'"
    assert actions[0].diagnostics and actions[0].diagnostics[0].code == "undefined-criterion"
    fixed, remaining = await _apply_and_recheck(client, uri, text, actions[0])
    assert fixed == WORKFLOW
    assert remaining == []


async def test_quick_fix_adds_score_entries(client: LanguageClient) -> None:
    text = (
        "reward_rubric {\n  criterion correctness\n  criterion edge_cases\n  criterion architecture\n}\n"
        "score {\n  correctness 4\n}\n"
    )
    uri = open_document(client, text)
    found = await wait_for_diagnostics(client, uri, bool, version=1)
    assert [d.code for d in found] == ["unscored-criterion", "unscored-criterion"]
    actions = await _fixes(client, uri, 2)
    titles = [a.title for a in actions]
    assert titles == [
        "Add a score entry for 'edge_cases' to the last score block",
        "Add score entries for all 2 unscored criteria",
    ]
    fixed, remaining = await _apply_and_recheck(client, uri, text, actions[1])
    assert fixed.endswith(
        'score {\n  correctness 4\n  edge_cases 0 "not scored yet"\n'
        '  architecture 0 "not scored yet"\n}\n'
    )
    assert remaining == []


async def test_quick_fix_removes_a_duplicate_criterion(client: LanguageClient) -> None:
    text = "reward_rubric {\n  criterion a\n  criterion b\n  criterion a weight=3\n}\n"
    uri = open_document(client, text)
    await wait_for_diagnostics(client, uri, bool, version=1)
    (action,) = await _fixes(client, uri, 3)
    assert action.title == "Remove the duplicate criterion 'a'"
    fixed, remaining = await _apply_and_recheck(client, uri, text, action)
    assert fixed == "reward_rubric {\n  criterion a\n  criterion b\n}\n"
    assert remaining == []


async def test_quick_fix_renames_an_unknown_block(client: LanguageClient) -> None:
    text = "reward_rubric { criterion a }\nscroe { a 3 }\n"
    uri = open_document(client, text)
    await wait_for_diagnostics(client, uri, bool, version=1)
    actions = await _fixes(client, uri, 1)
    fixed, remaining = await _apply_and_recheck(client, uri, text, actions[0])
    assert fixed == "reward_rubric { criterion a }\nscore { a 3 }\n"
    assert remaining == []


# Semantic tokens


async def test_semantic_tokens(client: LanguageClient) -> None:
    text = 'reward_rubric {\n  criterion café weight=5\n}\nscore { a 4 "🚀 ok" } # done\n'
    uri = open_document(client, text)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc(uri))
    )
    assert result is not None
    data = result.data
    decoded = [tuple(data[i : i + 5]) for i in range(0, len(data), 5)]
    keyword, prop, variable, _function, number, string, comment = range(7)
    assert decoded == [
        (0, 0, 13, keyword, 0),  # reward_rubric
        (1, 2, 9, keyword, 0),  # criterion
        # 'café' is not a name: c a f are, é is junk; the name token is 'caf'.
        (0, 10, 3, variable, 1),
        (0, 5, 6, prop, 0),  # weight
        (0, 7, 1, number, 0),  # 5
        (2, 0, 5, keyword, 0),  # score
        (0, 8, 1, variable, 0),  # a
        (0, 2, 1, number, 0),  # 4
        (0, 2, 7, string, 0),  # "🚀 ok": 🚀 is two UTF-16 units
        (0, 10, 6, comment, 0),  # # done
    ]


async def test_other_files_get_no_rubric_features(client: LanguageClient) -> None:
    uri = "file:///tmp/rubric-lsp-tests/module.py"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text="score {\n"
            )
        )
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc(uri), position=types.Position(line=1, character=0))
    )
    assert result is None
    await asyncio.sleep(0.2)
    assert published_for(client, uri) == []
