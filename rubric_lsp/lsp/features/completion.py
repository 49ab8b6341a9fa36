"""Completion that knows the slot under the cursor, also in half-typed documents."""

from __future__ import annotations

import functools
import json
from typing import NamedTuple

import attrs
from lsprotocol import types
from lsprotocol.converters import get_converter

from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.language.context import Token, context_at, tokens
from rubric_lsp.language.model import Criterion
from rubric_lsp.language.vocabulary import (
    BLOCKS,
    CHECK_SETTING_FIELDS,
    CRITERION_ATTRIBUTES,
    CRITIQUE_VERBS,
    RUBRIC_ENTRIES,
    TASK_FIELDS,
    rules_of,
)
from rubric_lsp.lsp.convert import Positions, markdown
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.features.hover import criterion_markdown
from rubric_lsp.lsp.protocol import Encoded
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.lsp.snapshot import Snapshot

Kind = types.CompletionItemKind

_CHECK_OFF = "The check does not run; a criterion bound to it is unscored."


class Entry(NamedTuple):
    """One completion item apart from its replace range, which every item of a request shares."""

    label: str
    kind: types.CompletionItemKind
    doc: str | None
    detail: str | None
    new_text: str
    snippet: bool
    sort: str | None

    def item(self, replace: types.Range) -> types.CompletionItem:
        """The item as lsprotocol types it."""
        return types.CompletionItem(
            label=self.label,
            kind=self.kind,
            detail=self.detail,
            documentation=markdown(self.doc) if self.doc else None,
            text_edit=types.TextEdit(range=replace, new_text=self.new_text),
            insert_text_format=(
                types.InsertTextFormat.Snippet if self.snippet else types.InsertTextFormat.PlainText
            ),
            filter_text=self.label,
            sort_text=self.sort,
        )


@attrs.frozen
class Completions:
    """The items that may stand at a position: their entries and the range they replace."""

    replace: types.Range
    entries: list[Entry]

    def typed(self) -> types.CompletionList:
        """The items as an lsprotocol completion list."""
        return types.CompletionList(
            is_incomplete=False, items=[entry.item(self.replace) for entry in self.entries]
        )

    def encoded(self) -> str:
        """The completion list as JSON, equal to the converter's encoding of ``typed()``."""
        # Typing re-asks for the same items at a new range: each item's JSON around its
        # range is kept, so a request costs a join, not building and encoding a dozen
        # nested objects (the most expensive part of answering during an edit storm).
        start, end = self.replace.start, self.replace.end
        where = (
            f'{{"start":{{"line":{start.line},"character":{start.character}}},'
            f'"end":{{"line":{end.line},"character":{end.character}}}}}'
        )
        items = ",".join(head + where + tail for head, tail in map(_encoded_item, self.entries))
        return f'{{"isIncomplete":false,"items":[{items}]}}'


_CONVERTER = get_converter()
_RANGE_MARK = types.Range(start=types.Position(line=0, character=0), end=types.Position(0, 0))
_RANGE_MARK_JSON = f'"range": {json.dumps(_CONVERTER.unstructure(_RANGE_MARK))}'


@functools.lru_cache(maxsize=1024)
def _encoded_item(entry: Entry) -> tuple[str, str]:
    """An item's JSON before its replace range and after it."""
    encoded = json.dumps(_CONVERTER.unstructure(entry.item(_RANGE_MARK)))
    head, found, tail = encoded.partition(_RANGE_MARK_JSON)
    assert found, "the converter encodes a text edit's range under its name"
    return head + '"range":', tail


class _Items:
    """Collects the entries of one request, with the client's snippet support."""

    def __init__(self, snippets: bool) -> None:
        self.snippets = snippets
        self.entries: list[Entry] = []

    def add(
        self,
        label: str,
        kind: types.CompletionItemKind,
        doc: str | None,
        *,
        detail: str | None = None,
        snippet: str | None = None,
        text: str | None = None,
        sort: str | None = None,
    ) -> None:
        use_snippet = snippet is not None and self.snippets
        new_text = snippet if use_snippet and snippet is not None else (text or label)
        self.entries.append(Entry(label, kind, doc, detail, new_text, use_snippet, sort))


def _criteria(snapshot: Snapshot) -> list[Criterion]:
    """Defined criteria, first definitions only."""
    return snapshot.remembered("first-criteria", lambda: _first_definitions(snapshot))


def _first_definitions(snapshot: Snapshot) -> list[Criterion]:
    seen: set[str] = set()
    found = []
    for criterion in snapshot.document.criteria:
        if criterion.name.text not in seen:
            seen.add(criterion.name.text)
            found.append(criterion)
    return found


def _described_criteria(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """Each defined criterion's documentation and detail line, by name, in order."""
    return snapshot.remembered("described-criteria", lambda: _describe(snapshot))


def _describe(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    criteria = _criteria(snapshot)
    total = sum(c.weight for c in criteria) or 1.0
    return {
        c.name.text: (
            criterion_markdown(snapshot, c),
            f"criterion · weight {c.weight:g} · {c.weight / total:.0%}",
        )
        for c in criteria
    }


def _score_snippet(names: list[str]) -> str:
    if not names:
        return 'score {\n  ${1:criterion} ${2:0} "$3"\n}'
    lines = [f'  {name} ${{{2 * i + 1}:0}} "${{{2 * i + 2}}}"' for i, name in enumerate(names)]
    return "score {\n" + "\n".join(lines) + "\n}"


def complete(
    ls: RubricLanguageServer, text: str, positions: Positions, names: Snapshot, offset: int
) -> Completions:
    """The completion items at a character offset of ``text``; criteria come from ``names``."""
    where = context_at(text, offset)
    items = _Items(ls.settings.snippets and _client_snippets(ls))
    slot = where.slot
    criteria = _criteria(names)
    if slot == "block-keyword":
        for keyword, block in BLOCKS.items():
            snippet = block.snippet
            if block.shape == "scores":
                snippet = _score_snippet([c.name.text for c in criteria]).replace(
                    "score", keyword, 1
                )
            items.add(keyword, Kind.Keyword, block.doc, detail="block", snippet=snippet)
    elif slot == "task-field":
        for name, field in TASK_FIELDS.items():
            items.add(name, Kind.Field, field.doc, detail="task field", snippet=field.snippet)
    elif slot == "rubric-entry":
        for name, entry in RUBRIC_ENTRIES.items():
            items.add(name, Kind.Keyword, entry.doc, snippet=entry.snippet)
    elif slot == "criterion-attribute":
        for key, attribute in CRITERION_ATTRIBUTES.items():
            if key not in where.used_keys:
                items.add(f"{key}=", Kind.Property, attribute.doc, detail="attribute")
    elif slot in ("check-name", "checks-entry"):
        for name, description in BUILTIN_CHECKS.items():
            if slot == "checks-entry" and name == "manual":
                continue  # nothing to configure: it runs nothing
            items.add(name, Kind.Function, description, detail="check")
    elif slot == "check-setting":
        for key, setting in CHECK_SETTING_FIELDS.items():
            if key not in where.used_keys:
                items.add(f"{key}=", Kind.Property, setting.doc, detail="check setting")
    elif slot == "boolean":
        for value, doc in (("true", "The check runs."), ("false", _CHECK_OFF)):
            items.add(value, Kind.Value, doc)
    elif slot == "criterion-name":
        used = set(where.used_names) if ls.settings.ranked_names else set()
        described = _described_criteria(names)
        ranked = list(described)
        if names.document.syntax_errors or names.text != text:
            # Recovery may have dropped the rubric block, or the names are an edit old;
            # the token roles of the current text still see every definition.
            known = set(ranked)
            for token in _rubric_tokens(text):
                if token.role == "definition" and token.text not in known:
                    known.add(token.text)
                    ranked.append(token.text)
        for index, name in enumerate(ranked):
            rank = "1" if name in used else "0"
            if name not in described:
                doc = f"**criterion `{name}`** (weight and scores once the file parses again)"
                items.add(name, Kind.Variable, doc, detail="criterion", sort=f"{rank}{index:04d}")
                continue
            doc, detail = described[name]
            items.add(name, Kind.Variable, doc, detail=detail, sort=f"{rank}{index:04d}")
    elif slot == "critique-verb":
        for verb, word in CRITIQUE_VERBS.items():
            items.add(verb, Kind.Keyword, word.doc, detail="critique verb")
    elif slot == "rule-keyword":
        for rule, spec in rules_of(where.block or "").items():
            snippet = spec.snippet
            if spec.takes_criterion:
                choices = ",".join(c.name.text for c in criteria)
                snippet = (
                    f"minimum ${{1|{choices}|}} ${{2:4}}" if choices else "minimum ${1:name} ${2:4}"
                )
            items.add(rule, Kind.Keyword, spec.doc, detail="rule", snippet=snippet)
    return Completions(positions.range_of_offsets(where.start, offset), items.entries)


def _rubric_tokens(text: str) -> tuple[Token, ...]:
    """The tokens of the first reward_rubric block (the one that counts) and before it."""
    start = text.find("reward_rubric")
    if start == -1:
        return ()
    return _tokens_of(text[: text.find("}", start) + 1 or len(text)])


@functools.lru_cache(maxsize=8)
def _tokens_of(head: str) -> tuple[Token, ...]:
    # Typing elsewhere leaves the head of the file as it was: lex it once, not per request.
    return tuple(tokens(head))


def _client_snippets(ls: RubricLanguageServer) -> bool:
    document = ls.client_capabilities.text_document
    completion = document.completion if document else None
    item = completion.completion_item if completion else None
    return bool(item and item.snippet_support)


class CompletionFeature(Feature):
    """Answer textDocument/completion."""

    @request(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["="], resolve_provider=False),
    )
    def completion(self, params: types.CompletionParams) -> Encoded | None:
        """The items that may stand at the cursor, as the JSON of a completion list."""
        ls, uri = self.server, params.text_document.uri
        document = ls.open_document(uri)
        if document is None:
            return None
        # The text is the current one; criterion names may come from the previous parse,
        # so typing does not wait for a parse of every keystroke.
        snapshot = ls.snapshot(uri)
        names = ls.parsed_snapshot(uri)
        if snapshot is None or names is None:
            return None
        offset = snapshot.positions.offset(params.position)
        return Encoded(complete(ls, snapshot.text, snapshot.positions, names, offset).encoded())
