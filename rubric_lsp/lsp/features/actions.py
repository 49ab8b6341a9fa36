"""Quick fixes for diagnostics with an obvious fix."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from lsprotocol import types

from rubric_lsp.language import model
from rubric_lsp.language.lines import dominant_line_ending, split_lines
from rubric_lsp.language.model import Block, Diagnostic
from rubric_lsp.language.parser import parse
from rubric_lsp.lsp.convert import diagnostic
from rubric_lsp.lsp.feature import Feature
from rubric_lsp.lsp.snapshot import Snapshot

# Codes whose diagnostic names the replacement in `suggestion`.
SUGGESTION_CODES = frozenset(
    {
        "unknown-block",
        "unknown-field",
        "unknown-check",
        "undefined-criterion",
        "unknown-rule",
        "unknown-attribute",
        "unknown-verb",
    }
)
UNSCORED_COMMENT = "not scored yet"
NEW_RUBRIC = ("reward_rubric {", "  criterion correctness weight=1", "}", "")


def _overlaps(a: model.Range, b: model.Range) -> bool:
    return a.start <= b.end and b.start <= a.end


class _Fixes:
    """Collects the code actions of one request."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.actions: list[types.CodeAction] = []
        # New lines end as most of the document's lines do.
        self.newline = dominant_line_ending(snapshot.text)
        self._syntax_errors = len(snapshot.document.syntax_errors)

    def add(
        self, title: str, edits: list[types.TextEdit], about: list[Diagnostic], preferred: bool
    ) -> None:
        """Offer a fix, unless its edits overlap or it would add a syntax error."""
        changed = self._apply(edits)
        if changed is None or len(parse(changed).syntax_errors) > self._syntax_errors:
            return
        self.actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic(d, self.snapshot.positions) for d in about],
                is_preferred=preferred or None,
                edit=types.WorkspaceEdit(changes={self.snapshot.uri: edits}),
            )
        )

    def _apply(self, edits: list[types.TextEdit]) -> str | None:
        """The text after the edits, or None when two of them overlap."""
        positions = self.snapshot.positions
        spans = sorted(
            (positions.offset(e.range.start), positions.offset(e.range.end), e.new_text)
            for e in edits
        )
        text = self.snapshot.text
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            if start < end:
                return None
        for start, end, new_text in reversed(spans):
            text = text[:start] + new_text + text[end:]
        return text

    def replace(self, rng: model.Range, text: str) -> types.TextEdit:
        return types.TextEdit(range=self.snapshot.positions.to_lsp_range(rng), new_text=text)

    def remove(self, rng: model.Range) -> types.TextEdit:
        """Delete a span; its whole lines when nothing else is on them."""
        index = self.snapshot.index
        text = index.text
        start, end = index.offset(rng.start), index.offset(rng.end)
        line_start = index.starts[rng.start.line]
        last = index.position(end).line
        line_end = index.ends[last]
        if not text[line_start:start].strip() and not text[end:line_end].strip():
            # With its line break: the start of the next line, or the end of the text.
            following = index.starts[last + 1] if last + 1 < index.line_count else len(text)
            start, end = line_start, following
        else:
            while end < len(text) and text[end] in " \t":
                end += 1
        return types.TextEdit(
            range=self.snapshot.positions.range_of_offsets(start, end), new_text=""
        )

    def append_entries(self, block: Block, entries: list[str]) -> types.TextEdit | None:
        """Insert entries at the end of a block, on their own lines unless it is one line."""
        if block.close_brace.start == block.close_brace.end:
            return None  # the '}' is missing: the parser made it up
        last = block.entries[-1].range.end if block.entries else block.open_brace.end
        close = block.close_brace.start
        index = self.snapshot.index
        if last.line == close.line:
            return self.replace(model.Range(last, last), "".join(f" {e}" for e in entries))
        indent = "  "
        if block.entries:
            line = index.line_text(block.entries[-1].range.start.line)
            indent = line[: len(line) - len(line.lstrip(" \t"))] or indent
        at = model.Position(close.line, 0)
        before_brace = index.line_text(close.line)[: close.character]
        if before_brace.strip():
            return None
        return self.replace(
            model.Range(at, at), "".join(f"{indent}{e}{self.newline}" for e in entries)
        )


def quick_fixes(snapshot: Snapshot, rng: model.Range) -> list[types.CodeAction]:
    """Quick fixes for the diagnostics that touch a range."""
    fixes = _Fixes(snapshot)
    document = snapshot.document
    all_diagnostics = snapshot.diagnostics
    unscored = [d for d in all_diagnostics if d.code == "unscored-criterion"]
    for item in all_diagnostics:
        if not _overlaps(item.range, rng):
            continue
        if item.code in SUGGESTION_CODES and item.suggestion:
            old = snapshot.index.text[
                snapshot.index.offset(item.range.start) : snapshot.index.offset(item.range.end)
            ]
            fixes.add(
                f"Replace '{old}' with '{item.suggestion}'",
                [fixes.replace(item.range, item.suggestion)],
                [item],
                preferred=True,
            )
        if item.code == "undefined-criterion":
            _define(fixes, document, item)
        elif item.code == "duplicate-criterion":
            for criterion in document.criteria:
                if criterion.name.range == item.range:
                    fixes.add(
                        f"Remove the duplicate criterion '{criterion.name.text}'",
                        [fixes.remove(criterion.range)],
                        [item],
                        preferred=True,
                    )
        elif item.code == "duplicate-block":
            for block in document.blocks:
                if block.keyword.range == item.range:
                    _merge(fixes, document, block, item)
                    fixes.add(
                        f"Remove this duplicate '{block.keyword.text}' block",
                        [fixes.remove(block.range)],
                        [item],
                        preferred=False,
                    )
        elif item.code == "unscored-criterion":
            _score(fixes, document, item, unscored)
        elif item.code == "missing-rubric":
            fixes.add(
                "Add a reward_rubric block",
                [
                    fixes.replace(
                        model.Range(item.range.start, item.range.start),
                        fixes.newline.join(NEW_RUBRIC),
                    )
                ],
                [item],
                preferred=True,
            )
    return fixes.actions


def _merge(fixes: _Fixes, document: model.Document, duplicate: Block, item: Diagnostic) -> None:
    """Offer to move a duplicate block's entries into the first block of its kind."""
    first = document.first(duplicate.kind)
    if first is None or first is duplicate or not duplicate.entries:
        return
    index = fixes.snapshot.index
    body = index.text[
        index.offset(duplicate.open_brace.end) : index.offset(duplicate.close_brace.start)
    ]
    lines = [line.strip() for line in split_lines(body) if line.strip()]
    one_line = first.close_brace.start.line == (
        first.entries[-1].range.end.line if first.entries else first.open_brace.end.line
    )
    if one_line and any("#" in line for line in lines):
        return  # a comment inside a one-line block would swallow its '}'
    into = fixes.append_entries(first, lines)
    if into is None:
        return
    line = first.keyword.range.start.line + 1
    fixes.add(
        f"Merge into the first '{first.keyword.text}' block (line {line})",
        [into, fixes.remove(duplicate.range)],
        [item],
        preferred=True,
    )


def _score_entry(document: model.Document, name: str) -> str:
    low, _ = document.scale
    return f'{name} {low:g} "{UNSCORED_COMMENT}"'


def _score(
    fixes: _Fixes, document: model.Document, item: Diagnostic, unscored: list[Diagnostic]
) -> None:
    blocks = [b for b in document.blocks if b.kind in ("score", "rescore")]
    if not blocks:
        return
    name = fixes.snapshot.index.text[
        fixes.snapshot.index.offset(item.range.start) : fixes.snapshot.index.offset(item.range.end)
    ]
    edit = fixes.append_entries(blocks[-1], [_score_entry(document, name)])
    if edit is None:
        return
    fixes.add(
        f"Add a score entry for '{name}' to the last {blocks[-1].kind} block",
        [edit],
        [item],
        preferred=True,
    )
    if len(unscored) > 1:
        names = [
            fixes.snapshot.index.text[
                fixes.snapshot.index.offset(d.range.start) : fixes.snapshot.index.offset(
                    d.range.end
                )
            ]
            for d in unscored
        ]
        every = fixes.append_entries(blocks[-1], [_score_entry(document, n) for n in names])
        if every is not None:
            fixes.add(
                f"Add score entries for all {len(names)} unscored criteria",
                [every],
                unscored,
                preferred=False,
            )


def _define(fixes: _Fixes, document: model.Document, item: Diagnostic) -> None:
    rubric = document.first("reward_rubric")
    if rubric is None:
        return
    index = fixes.snapshot.index
    name = index.text[index.offset(item.range.start) : index.offset(item.range.end)]
    edit = fixes.append_entries(rubric, [f"criterion {name} weight=1"])
    if edit is not None:
        fixes.add(f"Define criterion '{name}' in reward_rubric", [edit], [item], preferred=False)


def _wants_quickfix(only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(
        kind == types.CodeActionKind.QuickFix
        or types.CodeActionKind.QuickFix.startswith(f"{kind}.")
        or kind == types.CodeActionKind.Empty
        for kind in only
    )


class ActionsFeature(Feature):
    """Quick fixes in answer to textDocument/codeAction."""

    code_action_kinds = (types.CodeActionKind.QuickFix,)

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        snapshot = self.server.snapshot(params.text_document.uri)
        if snapshot is None or not _wants_quickfix(params.context.only):
            return []
        positions = snapshot.positions
        rng = model.Range(
            positions.from_lsp(params.range.start), positions.from_lsp(params.range.end)
        )
        return quick_fixes(snapshot, rng)
