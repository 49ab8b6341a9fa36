"""Hover: what a keyword means; a criterion's weight, share, check and latest hand score."""

from __future__ import annotations

from lsprotocol import types

from rubric_lsp.language.checks import BUILTIN_CHECKS, DEFAULT_BINDINGS, bound_check
from rubric_lsp.language.context import Token, token_at_offset
from rubric_lsp.language.model import Criterion
from rubric_lsp.language.vocabulary import word_doc
from rubric_lsp.lsp.convert import markdown
from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.snapshot import Snapshot


def criterion_markdown(snapshot: Snapshot, criterion: Criterion) -> str:
    """Weight, share of the total weight, bound check and latest hand score of a criterion."""
    start = criterion.range.start
    key = ("criterion-markdown", criterion.name.text, start.line, start.character)
    return snapshot.remembered(key, lambda: _criterion_markdown(snapshot, criterion))


def _criterion_markdown(snapshot: Snapshot, criterion: Criterion) -> str:
    document = snapshot.document
    name = criterion.name.text
    total = snapshot.total_weight
    share = criterion.weight / total if total else 0.0
    lines = [
        f"**criterion `{name}`** · weight {criterion.weight:g} "
        f"({share:.0%} of the total weight {total:g})"
    ]
    if criterion.describe:
        lines.append(f"What a good change does here: {criterion.describe}")
    check = bound_check(criterion)
    if check is None:
        lines.append("Scored by hand in `score`/`rescore` blocks.")
    else:
        how = "" if criterion.check_name else " (the default for this name)"
        description = BUILTIN_CHECKS.get(check, "not a built-in check")
        lines.append(f"Measured by check `{check}`{how}: {description}")
    latest = snapshot.hand_scores.get(name)
    if latest is not None and latest.points.number is not None:
        _, high = document.scale
        block = snapshot.block_at(latest.range.start.line) or "score"
        where = f"{block}, line {latest.range.start.line + 1}"
        comment = f' — "{latest.comment.text}"' if latest.comment and latest.comment.text else ""
        lines.append(f"Latest hand score: **{latest.points.raw}/{high:g}** ({where}){comment}")
    return "\n\n".join(lines)


def hover_markdown(names: Snapshot, token: Token, block: str | None) -> str | None:
    """The hover text of one token; criterion details come from ``names``."""
    role = token.role
    if role in ("definition", "reference"):
        criterion = names.document.criterion(token.text)
        if criterion is None:
            return f"`{token.text}` is not a criterion of the `reward_rubric` block."
        return criterion_markdown(names, criterion)
    if role == "check":
        description = BUILTIN_CHECKS.get(token.text)
        if description is None:
            return None
        used_by = [name for name, check in DEFAULT_BINDINGS.items() if check == token.text]
        bound = f"\n\nBound by default to the criterion `{used_by[0]}`." if used_by else ""
        return f"**check `{token.text}`** — {description}{bound}"
    if role == "attribute":
        return word_doc(token.text.rstrip("= \t"), block, is_attribute=True)
    if role in ("block", "keyword", "field", "rule", "verb"):
        return word_doc(token.text)
    return None


def _token_range(snapshot: Snapshot, token: Token) -> types.Range:
    end = token.end
    if token.type == "ATTR_KEY":
        end = token.start + len(token.text.rstrip("= \t"))
    return snapshot.positions.range_of_offsets(token.start, end)


class HoverFeature(Feature):
    """Answer textDocument/hover; other features add sections to a criterion's hover."""

    @request(types.TEXT_DOCUMENT_HOVER)
    def hover(self, params: types.HoverParams) -> types.Hover | None:
        """What the token under the cursor means."""
        ls, uri = self.server, params.text_document.uri
        snapshot = ls.snapshot(uri)
        names = ls.parsed_snapshot(uri)
        if snapshot is None or names is None:
            return None
        # The token and its role come from the current text; criterion details may come
        # from the previous parse when this version has not been parsed yet.
        token, block = token_at_offset(snapshot.text, snapshot.positions.offset(params.position))
        if token is None:
            return None
        text = hover_markdown(names, token, block)
        if text is None:
            return None
        if token.role in ("definition", "reference"):
            # What the last scoring run measured for this criterion, when there is one.
            extras = self.features.hover_sections(uri, token.text)
            text = "\n\n---\n\n".join([text, *extras])
        return types.Hover(contents=markdown(text), range=_token_range(snapshot, token))
