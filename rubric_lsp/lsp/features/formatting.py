"""Formatting with the canonical formatter of `rubric fmt`: whole document and range."""

from __future__ import annotations

from lsprotocol import types

from rubric_lsp.language.format import format_document, format_document_range
from rubric_lsp.language.model import Position
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.snapshot import Snapshot


def document_edits(snapshot: Snapshot) -> list[types.TextEdit]:
    """One edit replacing the text by its canonical layout; none when already canonical."""
    formatted = format_document(snapshot.document)
    if formatted is None or formatted == snapshot.text:
        return []
    whole = types.Range(start=types.Position(line=0, character=0), end=snapshot.positions.end())
    return [types.TextEdit(range=whole, new_text=formatted)]


def range_edits(snapshot: Snapshot, start_line: int, end_line: int) -> list[types.TextEdit]:
    """Edits formatting the whole blocks that touch a range of lines."""
    edits = []
    for edit in format_document_range(snapshot.document, start_line, end_line):
        # The edit ends where the last line's text ends, before its line break.
        last = snapshot.index.line_text(edit.end_line)
        end = snapshot.positions.to_lsp(Position(edit.end_line, len(last)))
        edits.append(
            types.TextEdit(
                range=types.Range(start=types.Position(line=edit.start_line, character=0), end=end),
                new_text=edit.new_text,
            )
        )
    return edits


class FormattingFeature(Feature):
    """Answer textDocument/formatting and textDocument/rangeFormatting."""

    @request(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(self, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        """The whole document in its canonical layout."""
        snapshot = self.server.snapshot(params.text_document.uri)
        return document_edits(snapshot) if snapshot else None

    @request(types.TEXT_DOCUMENT_RANGE_FORMATTING)
    def range_formatting(
        self, params: types.DocumentRangeFormattingParams
    ) -> list[types.TextEdit] | None:
        """The blocks a range touches in their canonical layout."""
        snapshot = self.server.snapshot(params.text_document.uri)
        if snapshot is None:
            return None
        start = snapshot.positions.from_lsp(params.range.start).line
        end = snapshot.positions.from_lsp(params.range.end)
        # A selection that ends at the start of a line does not include that line.
        end_line = end.line - 1 if end.character == 0 and end.line > start else end.line
        return range_edits(snapshot, start, end_line)
