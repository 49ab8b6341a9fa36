"""The server's copy of each document, changed as LSP says: lines end at CR LF, LF or CR.

pygls applies incremental changes over ``str.splitlines``, which also ends lines at form
feeds, U+001C..U+001E, U+0085, U+2028 and U+2029; after an edit on such a line its text
differs from the client's. Documents here apply changes with the one line model of
language/lines.py and the position encoding agreed at initialize, clamping positions
past a line's end or the last line as LSP clients do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from rubric_lsp.language.lines import LineIndex, split_lines_keep_ends
from rubric_lsp.lsp.convert import UTF16, Positions


def apply_change(text: str, change_range: types.Range, new_text: str, encoding: str) -> str:
    """``text`` with ``change_range`` (in the client's columns) replaced by ``new_text``."""
    positions = Positions(LineIndex(text), encoding)
    start, end = positions.offset(change_range.start), positions.offset(change_range.end)
    if end < start:  # a reversed range: LSP forbids it; treat it as the range it spans
        start, end = end, start
    return text[:start] + new_text + text[end:]


class LspTextDocument(TextDocument):
    """A pygls document whose lines and incremental changes follow LSP's line breaks."""

    @property
    def encoding(self) -> str:
        """The position encoding of the client's columns."""
        encoding = self.position_codec.encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    @property
    def lines(self) -> Sequence[str]:
        """The lines with their line breaks, ended where LSP ends them."""
        return tuple(split_lines_keep_ends(self.source))

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        self._source = apply_change(self.source, change.range, change.text, self.encoding)


class LspWorkspace(Workspace):
    """A pygls workspace holding ``LspTextDocument``s."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


def adopt(protocol: Any) -> None:
    """Give a just-initialized pygls protocol a workspace of ``LspTextDocument``s."""
    # pygls makes its workspace during initialize, before any document is open; the
    # same workspace, documents aside, is rebuilt with the LSP line model.
    workspace: Workspace = protocol.workspace
    protocol._workspace = LspWorkspace(
        workspace.root_uri,
        workspace._sync_kind,
        list(workspace.folders.values()),
        workspace.position_encoding,
    )
