"""Completion that knows the slot under the cursor, also in half-typed documents."""

from __future__ import annotations

import functools

from lsprotocol import types

from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.language.context import Context, Token, context_at, tokens
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
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.lsp.snapshot import Snapshot

Kind = types.CompletionItemKind

_CHECK_OFF = "The check does not run; a criterion bound to it is unscored."


class _Items:
    """Builds the items of one request with a shared replace range and snippet support."""

    def __init__(self, positions: Positions, where: Context, offset: int, snippets: bool) -> None:
        self.range = positions.range_of_offsets(where.start, offset)
        self.snippets = snippets
        self.items: list[types.CompletionItem] = []

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
        self.items.append(
            types.CompletionItem(
                label=label,
                kind=kind,
                detail=detail,
                documentation=markdown(doc) if doc else None,
                text_edit=types.TextEdit(range=self.range, new_text=new_text),
                insert_text_format=(
                    types.InsertTextFormat.Snippet
                    if use_snippet
                    else types.InsertTextFormat.PlainText
                ),
                filter_text=label,
                sort_text=sort,
            )
        )


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
) -> list[types.CompletionItem]:
    """The completion items at a character offset of ``text``; criteria come from ``names``."""
    where = context_at(text, offset)
    items = _Items(positions, where, offset, ls.settings.snippets and _client_snippets(ls))
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
    return items.items


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
    def completion(self, params: types.CompletionParams) -> types.CompletionList | None:
        """The items that may stand at the cursor."""
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
        items = complete(ls, snapshot.text, snapshot.positions, names, offset)
        return types.CompletionList(is_incomplete=False, items=items)
