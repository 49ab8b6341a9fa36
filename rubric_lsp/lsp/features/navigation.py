"""Criterion names: go to definition, find references, rename across blocks, highlight."""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from rubric_lsp.language.model import BLOCK_KEYWORDS, Occurrence
from rubric_lsp.lsp.server import RubricLanguageServer, Snapshot, guarded

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Valid as names, but a criterion called so would read as a keyword in some blocks.
_AVOID = frozenset({*BLOCK_KEYWORDS, "criterion", "scale"})


def _occurrence(
    ls: RubricLanguageServer, document: types.TextDocumentIdentifier, at: types.Position
) -> tuple[Snapshot, Occurrence] | None:
    snapshot = ls.snapshot(document.uri)
    if snapshot is None:
        return None
    position = snapshot.positions.from_lsp(at)
    found = snapshot.symbols.at(position)
    return (snapshot, found) if found is not None else None


def _location(snapshot: Snapshot, occurrence: Occurrence) -> types.Location:
    return types.Location(
        uri=snapshot.uri, range=snapshot.positions.to_lsp_range(occurrence.name.range)
    )


def check_new_name(new_name: str, existing: set[str]) -> str | None:
    """Why a criterion may not be renamed to ``new_name``, or None when it may."""
    if not _NAME.match(new_name):
        return f"'{new_name}' is not a name: use letters, digits and '_', not starting with a digit"
    if new_name in _AVOID:
        return f"'{new_name}' is a keyword; choose another name"
    if new_name in existing:
        return f"a criterion named '{new_name}' already exists"
    return None


def register(server: RubricLanguageServer) -> None:
    """Answer definition, references, prepareRename, rename and documentHighlight."""

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded("definition", lambda: None)
    def definition(
        ls: RubricLanguageServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        found = _occurrence(ls, params.text_document, params.position)
        if found is None:
            return None
        snapshot, occurrence = found
        return [_location(snapshot, o) for o in snapshot.symbols.definitions(occurrence.name.text)]

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded("references", lambda: None)
    def references(
        ls: RubricLanguageServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        found = _occurrence(ls, params.text_document, params.position)
        if found is None:
            return None
        snapshot, occurrence = found
        include = params.context.include_declaration
        return [
            _location(snapshot, o)
            for o in snapshot.symbols.references(occurrence.name.text, include_definition=include)
        ]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    @guarded("documentHighlight", lambda: None)
    def highlight(
        ls: RubricLanguageServer, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight] | None:
        found = _occurrence(ls, params.text_document, params.position)
        if found is None:
            return None
        snapshot, occurrence = found
        return [
            types.DocumentHighlight(
                range=snapshot.positions.to_lsp_range(o.name.range),
                kind=(
                    types.DocumentHighlightKind.Write
                    if o.is_definition
                    else types.DocumentHighlightKind.Read
                ),
            )
            for o in snapshot.symbols.references(occurrence.name.text)
        ]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @guarded("prepareRename", lambda: None)
    def prepare_rename(
        ls: RubricLanguageServer, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        found = _occurrence(ls, params.text_document, params.position)
        if found is None:
            return None
        snapshot, occurrence = found
        return types.PrepareRenamePlaceholder(
            range=snapshot.positions.to_lsp_range(occurrence.name.range),
            placeholder=occurrence.name.text,
        )

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def rename(ls: RubricLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        try:
            found = _occurrence(ls, params.text_document, params.position)
        except Exception as error:
            ls.report_failure("rename", error)
            return None
        if found is None:
            return None
        snapshot, occurrence = found
        old = occurrence.name.text
        if params.new_name == old:
            return types.WorkspaceEdit(changes={snapshot.uri: []})
        existing = {o.name.text for o in snapshot.symbols.occurrences if o.is_definition}
        problem = check_new_name(params.new_name, existing)
        if problem is not None:
            # An invalid request, not a server failure: the client shows the message.
            raise JsonRpcInvalidParams(problem)
        edits = [
            types.TextEdit(
                range=snapshot.positions.to_lsp_range(o.name.range), new_text=params.new_name
            )
            for o in snapshot.symbols.references(old)
        ]
        return types.WorkspaceEdit(changes={snapshot.uri: edits})
