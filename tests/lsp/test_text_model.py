"""The server holds the client's text and sends only ranges inside it, in VS Code and Neovim.

Each test edits a document the way an LSP client does, then asks the server about it and
compares with a fresh open of the text the LSP model says the client now has
(tests/support/lsp_text.py), and checks every range of every answer against that text
in the position encoding the client and server agreed on.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from support import SEED_FILES, lsp_text
from support.lsp_client import SERVER, doc, make_client, open_document

from rubric_lsp.language.lines import LineIndex
from rubric_lsp.language.parser import parse

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENTS = {"vscode": "visual-studio-code", "neovim": "neovim@v0.11.0"}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=list(CLIENTS),
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """VS Code (UTF-16 positions) or Neovim 0.11 (UTF-8 preferred)."""
    lsp_client.set_configuration({"diagnosticDelay": 0}, section="rubric")
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(CLIENTS[request.param]),
            initialization_options={"diagnosticDelay": 0},
        )
    )
    encoding = result.capabilities.position_encoding or "utf-16"
    lsp_client.encoding = str(getattr(encoding, "value", encoding))  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def encoding_of(client: LanguageClient) -> str:
    """The position encoding the server chose for this client."""
    return client.encoding  # type: ignore[attr-defined,no-any-return]


async def answers(client: LanguageClient, uri: str) -> dict[str, Any]:
    """What the server says about a whole document: diagnostics, symbols, tokens, format."""
    identifier = doc(uri)
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier)
    )
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=identifier)
    )
    tokens = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=identifier)
    )
    formatting = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=identifier,
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    items = getattr(report, "items", [])
    return {
        "diagnostics": sorted(
            (d.code, d.message, d.range.start.line, d.range.start.character, d.range.end.line)
            for d in items
        ),
        "diagnostic ranges": items,
        "symbols": symbols,
        "tokens": tokens.data if tokens else None,
        "formatting": formatting,
    }


def change(start: tuple[int, int], end: tuple[int, int], text: str) -> Any:
    """A ranged content change."""
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=start[0], character=start[1]),
            end=types.Position(line=end[0], character=end[1]),
        ),
        text=text,
    )


def comparable(found: dict[str, Any]) -> dict[str, Any]:
    """The answers without the ranges' objects, for equality between two documents."""
    return {key: value for key, value in found.items() if key != "diagnostic ranges"}


async def check_edits(client: LanguageClient, text: str, changes: list[Any]) -> str:
    """Edit a document; its answers equal a fresh open's of the LSP text, all ranges inside."""
    encoding = encoding_of(client)
    uri = open_document(client, text)
    expected = text
    for version, content in enumerate(changes, start=2):
        expected = lsp_text.apply_change(expected, content, encoding)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[content],
            )
        )
    edited = await answers(client, uri)
    fresh = await answers(client, open_document(client, expected))
    assert comparable(edited) == comparable(fresh), expected
    assert lsp_text.range_problems(expected, list(edited.values()), encoding) == []
    return expected


async def test_edit_past_the_end_of_a_last_line_without_a_line_break(
    client: LanguageClient,
) -> None:
    text = "reward_rubric {\n  criterion a\n}"
    # Past the end of the last line, then past the last line: both mean the end of the text.
    edited = await check_edits(
        client, text, [change((2, 40), (2, 40), " # end"), change((9, 0), (9, 3), "\n")]
    )
    assert edited == text + " # end\n"


async def test_form_feed_earlier_on_the_line(client: LanguageClient) -> None:
    text = 'task {\x0c title "a" }\nreward_rubric { criterion a }\n'
    edited = await check_edits(
        client, text, [change((0, 15), (0, 16), "b"), change((1, 0), (1, 0), "x")]
    )
    assert edited == 'task {\x0c title "b" }\nxreward_rubric { criterion a }\n'


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x1c", "\x1e"])
async def test_unicode_line_separators_inside_a_string(
    client: LanguageClient, separator: str
) -> None:
    text = f'task {{ title "a{separator}b" }}\nreward_rubric {{ criterion a weight=1 }}\n'
    edited = await check_edits(client, text, [change((1, 35), (1, 36), "2")])
    assert edited.endswith("weight=2 }\n")


async def test_position_between_cr_and_lf(client: LanguageClient) -> None:
    text = "reward_rubric {\r\n  criterion a\r\n}\r\n"
    # Character 14 of line 1 is between its CR and LF: it means the end of the line.
    edited = await check_edits(client, text, [change((1, 14), (1, 14), " weight=2")])
    assert edited == "reward_rubric {\r\n  criterion a weight=2\r\n}\r\n"


async def test_lone_cr_lines(client: LanguageClient) -> None:
    text = "reward_rubric {\r  criterion a\r  criterion a\r}\r"
    encoding = encoding_of(client)
    uri = open_document(client, text)
    found = await answers(client, uri)
    # The duplicate is on the third line, as the client shows it.
    assert ("duplicate-criterion", 2) in {(d[0], d[2]) for d in found["diagnostics"]}
    assert lsp_text.range_problems(text, list(found.values()), encoding) == []
    edited = await check_edits(client, text, [change((2, 12), (2, 13), "b")])
    assert edited == "reward_rubric {\r  criterion a\r  criterion b\r}\r"


async def test_formatting_keeps_lone_cr_line_endings(client: LanguageClient) -> None:
    text = 'reward_rubric {\r criterion a\r}\rtask { title "t" }\r'
    uri = open_document(client, text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc(uri), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits
    assert lsp_text.range_problems(text, edits, encoding_of(client)) == []
    formatted = text
    for edit in edits:
        formatted = lsp_text.apply_change(formatted, edit, encoding_of(client))
    assert formatted == 'reward_rubric {\r  criterion a\r}\rtask {\r  title "t"\r}\r'
    range_edits = await client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=doc(uri),
            range=types.Range(
                start=types.Position(line=3, character=0), end=types.Position(line=3, character=3)
            ),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert range_edits and [e.range.start.line for e in range_edits] == [3]
    assert range_edits[0].new_text == 'task {\r  title "t"\r}'


async def test_positions_inside_a_surrogate_pair(client: LanguageClient) -> None:
    text = 'task { title "😀😀" }\nreward_rubric { criterion a }\n'
    encoding = encoding_of(client)
    # Inside the first emoji in either encoding: it counts as after it.
    inside = 15 if encoding == "utf-16" else 16
    edited = await check_edits(client, text, [change((0, inside), (0, inside), "x")])
    assert edited == 'task { title "😀x😀" }\nreward_rubric { criterion a }\n'
    uri = open_document(client, edited)
    for character in range(0, 30):
        position = types.Position(line=0, character=character)
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=doc(uri), position=position)
        )
        highlights = await client.text_document_document_highlight_async(
            types.DocumentHighlightParams(text_document=doc(uri), position=position)
        )
        assert lsp_text.range_problems(edited, [hover, highlights], encoding) == []


@pytest.mark.parametrize(
    "text",
    [
        "reward_rubric {\r\n  criterion a weight=\r\n}\r\n",
        "reward_rubric {\r  criterion 😀 a weigth=5\r}",
        'task { title "x\r\n  criterion a',
        "reward_rubric { criterion a }\r\naccept_if {\r\n  minimum b 3\r\n}\r\n}\r\n",
    ],
)
async def test_ranges_stay_inside_broken_documents(client: LanguageClient, text: str) -> None:
    encoding = encoding_of(client)
    uri = open_document(client, text)
    found = await answers(client, uri)
    assert lsp_text.range_problems(text, list(found.values()), encoding) == []
    everywhere = [
        types.Position(line=line, character=character)
        for line in range(len(lsp_text.lines(text)) + 2)
        for character in (0, 1, 5, 13, 14, 15, 40)
    ]
    for position in everywhere:
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=doc(uri), position=position)
        )
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc(uri),
                range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=found["diagnostic ranges"]),
            )
        )
        completion = await client.text_document_completion_async(
            types.CompletionParams(text_document=doc(uri), position=position)
        )
        assert lsp_text.range_problems(text, [hover, actions, completion], encoding) == []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
async def test_rename_never_adds_a_syntax_error(client: LanguageClient, newline: str) -> None:
    encoding = encoding_of(client)
    for path in SEED_FILES:
        text = path.read_text().replace("\n", newline).replace("task {", "task { # 😀 é", 1)
        document = parse(text)
        if document.syntax_errors:
            continue
        uri = open_document(client, text)
        definitions = [o for o in document.symbols.occurrences if o.is_definition]
        index = LineIndex(text)
        for occurrence in definitions[:4]:
            start = occurrence.name.range.start
            line = index.line_text(start.line)
            character = lsp_text.line_length(line[: start.character], encoding)
            edit = await client.text_document_rename_async(
                types.RenameParams(
                    text_document=doc(uri),
                    position=types.Position(line=start.line, character=character),
                    new_name="renamed_criterion",
                )
            )
            assert edit is not None and edit.changes is not None
            (edits,) = edit.changes.values()
            assert lsp_text.range_problems(text, edits, encoding) == []
            renamed = text
            for one in sorted(
                edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
            ):
                renamed = lsp_text.apply_change(renamed, one, encoding)
            assert not parse(renamed).syntax_errors, renamed
            assert renamed.count("renamed_criterion") == len(edits)
