"""Criterion names: go to definition, find references, rename across blocks, highlight."""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from rubric_lsp.language.mentions import Mention, check_new_name, mention_at, mentions
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.lsp.snapshot import Snapshot


def _mention(
    ls: RubricLanguageServer, document: types.TextDocumentIdentifier, at: types.Position
) -> tuple[Snapshot, Mention, list[Mention]] | None:
    snapshot = ls.snapshot(document.uri)
    if snapshot is None:
        return None
    position = snapshot.positions.from_lsp(at)
    every = mentions(snapshot)
    mention = mention_at(every, position)
    return None if mention is None else (snapshot, mention, every)


def _location(snapshot: Snapshot, mention: Mention) -> types.Location:
    return types.Location(uri=snapshot.uri, range=snapshot.positions.to_lsp_range(mention.range))


class NavigationFeature(Feature):
    """Answer definition, references, prepareRename, rename and documentHighlight."""

    @request(types.TEXT_DOCUMENT_DEFINITION)
    def definition(self, params: types.DefinitionParams) -> list[types.Location] | None:
        """Where the criterion under the cursor is defined."""
        found = _mention(self.server, params.text_document, params.position)
        if found is None:
            return None
        snapshot, at, every = found
        return [_location(snapshot, m) for m in every if m.is_definition and m.text == at.text]

    @request(types.TEXT_DOCUMENT_REFERENCES)
    def references(self, params: types.ReferenceParams) -> list[types.Location] | None:
        """Every mention of the criterion under the cursor."""
        found = _mention(self.server, params.text_document, params.position)
        if found is None:
            return None
        snapshot, at, every = found
        include = params.context.include_declaration
        return [
            _location(snapshot, m)
            for m in every
            if m.text == at.text and (include or not m.is_definition)
        ]

    @request(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
    def highlight(
        self, params: types.DocumentHighlightParams
    ) -> list[types.DocumentHighlight] | None:
        """The criterion's mentions, its definition as written."""
        found = _mention(self.server, params.text_document, params.position)
        if found is None:
            return None
        snapshot, at, every = found
        return [
            types.DocumentHighlight(
                range=snapshot.positions.to_lsp_range(m.range),
                kind=(
                    types.DocumentHighlightKind.Write
                    if m.is_definition
                    else types.DocumentHighlightKind.Read
                ),
            )
            for m in every
            if m.text == at.text
        ]

    @request(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(
        self, params: types.PrepareRenameParams
    ) -> types.PrepareRenamePlaceholder | None:
        """The name a rename would change, when the cursor is on a criterion."""
        found = _mention(self.server, params.text_document, params.position)
        if found is None:
            return None
        snapshot, at, _ = found
        return types.PrepareRenamePlaceholder(
            range=snapshot.positions.to_lsp_range(at.range), placeholder=at.text
        )

    @request(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def rename(self, params: types.RenameParams) -> types.WorkspaceEdit | None:
        """Rename a criterion in every block; an invalid name is the client's error."""
        found = _mention(self.server, params.text_document, params.position)
        if found is None:
            return None
        snapshot, at, every = found
        if params.new_name == at.text:
            return types.WorkspaceEdit(changes={snapshot.uri: []})
        existing = {m.text for m in every if m.is_definition}
        problem = check_new_name(params.new_name, existing)
        if problem is not None:
            # An invalid request, not a server failure: the client shows the message.
            raise JsonRpcInvalidParams(problem)
        edits = [
            types.TextEdit(range=snapshot.positions.to_lsp_range(m.range), new_text=params.new_name)
            for m in every
            if m.text == at.text
        ]
        return types.WorkspaceEdit(changes={snapshot.uri: edits})
