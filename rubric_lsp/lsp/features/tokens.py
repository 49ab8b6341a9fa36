"""Semantic tokens (full), from the token roles, so broken text is highlighted too."""

from __future__ import annotations

from lsprotocol import types

from rubric_lsp.language.context import Token
from rubric_lsp.lsp.convert import client_length, to_client_character
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.snapshot import Snapshot

TOKEN_TYPES = ["keyword", "property", "variable", "function", "number", "string", "comment"]
TOKEN_MODIFIERS = ["declaration"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)

_TYPE = {name: index for index, name in enumerate(TOKEN_TYPES)}
# role -> (token type, modifier bits); roles not listed are not highlighted.
_ROLES: dict[str, tuple[int, int]] = {
    "block": (_TYPE["keyword"], 0),
    "keyword": (_TYPE["keyword"], 0),
    "rule": (_TYPE["keyword"], 0),
    "verb": (_TYPE["keyword"], 0),
    "field": (_TYPE["property"], 0),
    "attribute": (_TYPE["property"], 0),
    "check": (_TYPE["function"], 0),
    "definition": (_TYPE["variable"], 1),
    "reference": (_TYPE["variable"], 0),
    "number": (_TYPE["number"], 0),
    "string": (_TYPE["string"], 0),
    "comment": (_TYPE["comment"], 0),
}


def encode(snapshot: Snapshot) -> list[int]:
    """The LSP relative encoding of every highlighted token."""
    data: list[int] = []
    index, encoding = snapshot.index, snapshot.encoding
    previous_line = previous_start = 0
    line_number, line_start, line_text, ascii_line = -1, 0, "", True
    for token in snapshot.tokens:
        style = _ROLES.get(token.role)
        if style is None:
            continue
        if token.line != line_number:
            line_number = token.line
            line_start = index.starts[line_number]
            line_text = index.line_text(line_number)
            ascii_line = line_text.isascii()
        text = _highlighted(token)
        column = token.start - line_start
        if ascii_line:
            start, length = column, len(text)
        else:
            start = to_client_character(line_text, column, encoding)
            length = client_length(text, encoding)
        if not length:
            continue
        delta_line = line_number - previous_line
        delta_start = start - previous_start if delta_line == 0 else start
        data += [delta_line, delta_start, length, style[0], style[1]]
        previous_line, previous_start = line_number, start
    return data


def _highlighted(token: Token) -> str:
    if token.type == "ATTR_KEY":
        return token.text.rstrip("= \t")
    return token.text.rstrip("\r")


class TokensFeature(Feature):
    """Answer textDocument/semanticTokens/full."""

    @request(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    def full(self, params: types.SemanticTokensParams) -> types.SemanticTokens | None:
        """Every highlighted token of the document."""
        snapshot = self.server.snapshot(params.text_document.uri)
        if snapshot is None:
            return None
        return types.SemanticTokens(data=encode(snapshot))
