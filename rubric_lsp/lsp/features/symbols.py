"""Document symbols (blocks with their entries) and folding ranges for blocks."""

from __future__ import annotations

from lsprotocol import types

from rubric_lsp.language.evaluate import rule_text
from rubric_lsp.language.model import (
    Block,
    CheckConfig,
    Criterion,
    CritiqueEntry,
    Entry,
    Name,
    Rule,
    Scale,
    ScoreEntry,
    TaskField,
    UnknownField,
)
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.snapshot import Snapshot

Kind = types.SymbolKind


def _entry(entry: Entry) -> tuple[str, Name, str | None, types.SymbolKind] | None:
    """(name, the name's token, detail, kind) of an entry."""
    if isinstance(entry, Criterion):
        detail = " ".join(f"{a.key.text}={a.value.raw}" for a in entry.attributes) or None
        return entry.name.text, entry.name, detail, Kind.Field
    if isinstance(entry, Scale):
        return "scale", entry.keyword, entry.value.raw or None, Kind.Property
    if isinstance(entry, TaskField):
        return entry.key.text, entry.key, entry.value.text or None, Kind.Property
    if isinstance(entry, ScoreEntry):
        comment = f' "{entry.comment.text}"' if entry.comment else ""
        return entry.name.text, entry.name, (entry.points.raw + comment) or None, Kind.Number
    if isinstance(entry, CritiqueEntry):
        detail = entry.comment.text if entry.comment else None
        return f"{entry.verb.text} {entry.name.text}", entry.name, detail, Kind.Event
    if isinstance(entry, Rule):
        return rule_text(entry), entry.keyword, None, Kind.Boolean
    if isinstance(entry, CheckConfig):
        detail = " ".join(f"{a.key.text}={a.value.raw}" for a in entry.attributes) or None
        return entry.name.text, entry.name, detail, Kind.Function
    if isinstance(entry, UnknownField):
        return entry.key.text, entry.key, None, Kind.Property
    return None


def document_symbols(snapshot: Snapshot) -> list[types.DocumentSymbol]:
    """One symbol per block, its entries as children."""
    positions = snapshot.positions
    symbols = []
    for block in snapshot.document.blocks:
        children = []
        for entry in block.entries:
            described = _entry(entry)
            if described is None:
                continue
            name, token, detail, kind = described
            children.append(
                types.DocumentSymbol(
                    name=name or "?",
                    kind=kind,
                    detail=detail,
                    range=positions.to_lsp_range(entry.range),
                    selection_range=positions.to_lsp_range(token.range),
                )
            )
        symbols.append(
            types.DocumentSymbol(
                name=block.keyword.text,
                kind=Kind.Namespace if block.kind != "unknown" else Kind.Null,
                detail=_block_detail(block),
                range=positions.to_lsp_range(block.range),
                selection_range=positions.to_lsp_range(block.keyword.range),
                children=children,
            )
        )
    return symbols


def _block_detail(block: Block) -> str | None:
    count = len(block.entries)
    if block.kind == "unknown" or not count:
        return None
    return f"{count} {'entry' if count == 1 else 'entries'}"


def folding_ranges(snapshot: Snapshot) -> list[types.FoldingRange]:
    """A range per block that spans lines, and per run of comment lines."""
    ranges = [
        types.FoldingRange(
            start_line=block.range.start.line,
            end_line=block.range.end.line,
            kind=types.FoldingRangeKind.Region,
        )
        for block in snapshot.document.blocks
        if block.range.end.line > block.range.start.line
    ]
    run: list[int] = []
    for comment in snapshot.document.comments:
        line = comment.range.start.line
        if snapshot.index.line_text(line)[: comment.range.start.character].strip():
            continue  # a trailing comment belongs to its entry
        if run and line == run[-1] + 1:
            run.append(line)
            continue
        if len(run) > 1:
            ranges.append(types.FoldingRange(run[0], run[-1], kind=types.FoldingRangeKind.Comment))
        run = [line]
    if len(run) > 1:
        ranges.append(types.FoldingRange(run[0], run[-1], kind=types.FoldingRangeKind.Comment))
    return ranges


class SymbolsFeature(Feature):
    """Answer documentSymbol and foldingRange."""

    @request(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(self, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
        """The outline: blocks and their entries."""
        snapshot = self.server.snapshot(params.text_document.uri)
        return document_symbols(snapshot) if snapshot else None

    @request(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding(self, params: types.FoldingRangeParams) -> list[types.FoldingRange] | None:
        """Blocks and runs of comment lines."""
        snapshot = self.server.snapshot(params.text_document.uri)
        return folding_ranges(snapshot) if snapshot else None
