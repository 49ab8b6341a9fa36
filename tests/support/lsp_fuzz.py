"""A protocol fuzz of a running server: random documents, edits and requests, checked.

Each document is opened, changed (whole texts and ranged edits, ranges at and past the
ends and inside characters), and asked every request the server offers at random
places. The checks: no request fails or takes over a second, every range lies in the
document, the server's text is the client's (a fresh copy of the client's text answers
the same), and edits the server offers never add a syntax error to a clean file.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from rubric_lsp.language.parser import parse

from . import SEED_FILES, lsp_text
from .mutations import SOUP, mutate

SEEDS = [path.read_text() for path in SEED_FILES]
# Pieces of text that test line breaks, columns and the lexer: CR LF, lone CR, form feed,
# U+2028, astral characters (two UTF-16 units, four UTF-8 bytes), accents, NUL.
PIECES = [
    *SOUP, "\r\n", "\r", "\x0c", "\u2028", "\x85", "😀", "é", "€", "\x00", " ", "  ", "\t",
    "criterion c weight=2\n", "score {\n  c 3\n}\n", '"a\nb"',
]  # fmt: skip
SLOW_SECONDS = 1.0


@dataclass
class Tally:
    """What a fuzz run did and found."""

    documents: int = 0
    changes: int = 0
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    text_differs: list[str] = field(default_factory=list)
    broken_edits: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def problems(self) -> dict[str, list[str]]:
        """Each kind of problem with its first few examples; empty when all is well."""
        kinds = {
            "failed requests": self.failures,
            "slow responses": self.slow,
            "ranges outside the document": self.outside,
            "server text differs": self.text_differs,
            "edits adding a syntax error": self.broken_edits,
        }
        return {name: found[:5] for name, found in kinds.items() if found}

    def summary(self) -> str:
        """One line of counts."""
        return (
            f"{self.documents} documents, {self.changes} changes, {self.requests} requests;"
            f" failed {len(self.failures)}, slower than {SLOW_SECONDS:g} s {len(self.slow)},"
            f" ranges outside {len(self.outside)}, text differs {len(self.text_differs)},"
            f" edits adding a syntax error {len(self.broken_edits)};"
            f" slowest {self.slowest * 1000:.0f} ms"
        )


def random_text(rng: random.Random) -> str:
    """A document: soup, a mutated seed, or a seed, with its line breaks changed at random."""
    kind = rng.random()
    if kind < 0.3:
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60)))
    elif kind < 0.8:
        text = mutate(rng.choice(SEEDS), rng)
    else:
        text = rng.choice(SEEDS)
    ending = rng.random()
    if ending < 0.2:
        text = text.replace("\n", "\r\n")
    elif ending < 0.3:
        text = text.replace("\n", "\r")
    return text


def random_position(rng: random.Random, text: str, encoding: str) -> types.Position:
    """A position on, at the end of, or past the document (and past lines' ends)."""
    split = lsp_text.lines(text)
    line = rng.randint(0, len(split) + 1)
    length = lsp_text.line_length(split[line], encoding) if line < len(split) else 0
    return types.Position(line=line, character=rng.randint(0, length + 2))


def random_range(rng: random.Random, text: str, encoding: str) -> types.Range:
    """A range between two random positions, in order."""
    first, second = random_position(rng, text, encoding), random_position(rng, text, encoding)
    start, end = sorted((first, second), key=lambda p: (p.line, p.character))
    return types.Range(start=start, end=end)


def random_changes(
    rng: random.Random, text: str, encoding: str
) -> tuple[list[types.TextDocumentContentChangeEvent], str]:
    """One didChange's content changes and the text after them (as LSP defines it)."""
    changes: list[types.TextDocumentContentChangeEvent] = []
    for _ in range(rng.randint(1, 3)):
        change: types.TextDocumentContentChangeEvent
        if rng.random() < 0.15:
            change = types.TextDocumentContentChangeWholeDocument(text=random_text(rng))
        else:
            inserted = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))
            change = types.TextDocumentContentChangePartial(
                range=random_range(rng, text, encoding), text=inserted
            )
        text = lsp_text.apply_change(text, change, encoding)
        changes.append(change)
    return changes, text


def syntax_clean(text: str) -> bool:
    """Whether a text parses without a syntax error."""
    return not parse(text).syntax_errors


def _edits_of(value: Any) -> list[types.TextEdit]:
    """The text edits in a response: a list of them or a workspace edit's."""
    if isinstance(value, list):
        return [edit for edit in value if isinstance(edit, types.TextEdit)]
    if not isinstance(value, types.WorkspaceEdit):
        return []
    found = [edit for edits in (value.changes or {}).values() for edit in edits]
    for change in value.document_changes or []:
        if isinstance(change, types.TextDocumentEdit):
            found.extend(edit for edit in change.edits if isinstance(edit, types.TextEdit))
    return found


class Fuzzer:
    """Drives one initialized client's server with random documents."""

    def __init__(
        self, client: Any, encoding: str, rng: random.Random, capabilities: types.ServerCapabilities
    ) -> None:
        self.client = client
        self.encoding = encoding
        self.rng = rng
        self.capabilities = capabilities
        self.tally = Tally()
        self._names = itertools.count()

    async def _ask(self, method: str, params: Any, text: str) -> Any:
        """Send one request; note a failure, a slow answer and ranges outside ``text``."""
        started = time.perf_counter()
        try:
            result = await self.client.protocol.send_request_async(method, params)
        except JsonRpcException as error:
            self.tally.failures.append(f"{method}: {error}")
            return None
        finally:
            self.tally.requests += 1
        seconds = time.perf_counter() - started
        self.tally.slowest = max(self.tally.slowest, seconds)
        if seconds > SLOW_SECONDS:
            self.tally.slow.append(f"{method}: {seconds:.2f} s")
        for problem in lsp_text.range_problems(text, result, self.encoding):
            self.tally.outside.append(f"{method}: {problem} in {text!r}")
        if isinstance(result, list):
            count = len(lsp_text.lines(text))
            for item in result:
                if isinstance(item, types.FoldingRange) and not (
                    0 <= item.start_line <= item.end_line < count
                ):
                    self.tally.outside.append(f"{method}: {item} of {count} lines")
                if isinstance(item, types.InlayHint):
                    problem = lsp_text.position_problem(text, item.position, self.encoding)
                    if problem:
                        self.tally.outside.append(f"{method}: hint {problem}")
        return result

    def _open(self, uri: str, text: str) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="rubric", version=1, text=text
                )
            )
        )

    def _close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def _requests(self, uri: str, text: str) -> list[tuple[str, Any]]:
        """Every request the server offers, at random places of ``text``."""
        rng, encoding, caps = self.rng, self.encoding, self.capabilities
        document = types.TextDocumentIdentifier(uri=uri)

        def at() -> types.Position:
            return random_position(rng, text, encoding)

        asked: list[tuple[str, Any]] = [
            (types.TEXT_DOCUMENT_HOVER, types.HoverParams(text_document=document, position=at())),
            (
                types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionParams(text_document=document, position=at()),
            ),
            (
                types.TEXT_DOCUMENT_DEFINITION,
                types.DefinitionParams(text_document=document, position=at()),
            ),
            (
                types.TEXT_DOCUMENT_REFERENCES,
                types.ReferenceParams(
                    text_document=document,
                    position=at(),
                    context=types.ReferenceContext(include_declaration=True),
                ),
            ),
            (
                types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT,
                types.DocumentHighlightParams(text_document=document, position=at()),
            ),
            (
                types.TEXT_DOCUMENT_PREPARE_RENAME,
                types.PrepareRenameParams(text_document=document, position=at()),
            ),
            (
                types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
                types.DocumentSymbolParams(text_document=document),
            ),
            (types.TEXT_DOCUMENT_FOLDING_RANGE, types.FoldingRangeParams(text_document=document)),
            (types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensParams(text_document=document)),
            (
                types.TEXT_DOCUMENT_INLAY_HINT,
                types.InlayHintParams(
                    text_document=document, range=random_range(rng, text, encoding)
                ),
            ),
            (
                types.TEXT_DOCUMENT_RANGE_FORMATTING,
                types.DocumentRangeFormattingParams(
                    text_document=document,
                    range=random_range(rng, text, encoding),
                    options=types.FormattingOptions(tab_size=2, insert_spaces=True),
                ),
            ),
        ]
        if caps.semantic_tokens_provider is not None:
            asked.append(
                (
                    types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                    types.SemanticTokensParams(text_document=document),
                )
            )
        return asked

    async def _edit_requests(
        self, uri: str, text: str, diagnostics: list[types.Diagnostic]
    ) -> list[tuple[str, Any]]:
        """Requests that answer with edits: format, rename, code actions."""
        rng, encoding = self.rng, self.encoding
        document = types.TextDocumentIdentifier(uri=uri)
        options = types.FormattingOptions(tab_size=2, insert_spaces=True)
        asked: list[tuple[str, Any]] = [
            (
                types.TEXT_DOCUMENT_FORMATTING,
                types.DocumentFormattingParams(text_document=document, options=options),
            ),
            (
                types.TEXT_DOCUMENT_RENAME,
                types.RenameParams(
                    text_document=document,
                    position=random_position(rng, text, encoding),
                    new_name=f"renamed_{rng.randrange(100)}",
                ),
            ),
        ]
        for item in [None, *diagnostics[:3]]:
            rng_range = item.range if item is not None else random_range(rng, text, encoding)
            asked.append(
                (
                    types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionParams(
                        text_document=document,
                        range=rng_range,
                        context=types.CodeActionContext(diagnostics=list(diagnostics)),
                    ),
                )
            )
        return asked

    async def _diagnostics(self, uri: str, text: str) -> list[types.Diagnostic]:
        """The document's diagnostics, pulled when the server offers pulling."""
        if self.capabilities.diagnostic_provider is None:
            return []
        report = await self._ask(
            types.TEXT_DOCUMENT_DIAGNOSTIC,
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)),
            text,
        )
        return list(getattr(report, "items", None) or [])

    def _check_edits(self, method: str, text: str, result: Any) -> None:
        """Edits apart from each other that keep a clean text clean."""
        if isinstance(result, types.CodeAction):
            result = result.edit
        edits = _edits_of(result)
        if not edits:
            return
        spans = sorted(
            (
                lsp_text.offset(text, e.range.start, self.encoding),
                lsp_text.offset(text, e.range.end, self.encoding),
                e.new_text,
            )
            for e in edits
        )
        if any(b[0] < a[1] for a, b in itertools.pairwise(spans)):
            self.tally.broken_edits.append(f"{method}: overlapping edits in {text!r}")
            return
        changed = text
        for start, end, new_text in reversed(spans):
            changed = changed[:start] + new_text + changed[end:]
        if not syntax_clean(changed):
            self.tally.broken_edits.append(f"{method}: {text!r} -> {changed!r}")

    async def _gather(self, asked: list[tuple[str, Any]], text: str) -> list[Any]:
        calls: list[Awaitable[Any]] = [self._ask(method, params, text) for method, params in asked]
        return list(await asyncio.gather(*calls))

    async def _same_as_fresh(self, uri: str, text: str, label: str) -> None:
        """The edited document answers as a fresh copy of the client's text does."""
        twin = f"{uri}.fresh.rubric"
        self._open(twin, text)

        def views(target: str) -> list[tuple[str, Any]]:
            document = types.TextDocumentIdentifier(uri=target)
            # Semantic tokens cover every token of the text; diagnostics, every error.
            asked: list[tuple[str, Any]] = []
            if self.capabilities.semantic_tokens_provider is not None:
                asked.append(
                    (
                        types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                        types.SemanticTokensParams(text_document=document),
                    )
                )
            else:
                asked.append(
                    (
                        types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
                        types.DocumentSymbolParams(text_document=document),
                    )
                )
            if self.capabilities.diagnostic_provider is not None:
                asked.append(
                    (
                        types.TEXT_DOCUMENT_DIAGNOSTIC,
                        types.DocumentDiagnosticParams(text_document=document),
                    )
                )
            return asked

        edited, fresh = await asyncio.gather(
            self._gather(views(uri), text), self._gather(views(twin), text)
        )
        self._close(twin)
        for (method, _), mine, theirs in zip(views(uri), edited, fresh, strict=True):
            if _comparable(mine) != _comparable(theirs):
                self.tally.text_differs.append(f"{method} after {label}: {text!r}")

    async def document(self) -> None:
        """One document: open, change a few times, ask everything, check the results."""
        rng, encoding = self.rng, self.encoding
        uri = f"file:///fuzz/doc-{next(self._names)}.rubric"
        text = random_text(rng)
        self._open(uri, text)
        self.tally.documents += 1
        version = 1
        label = "open"
        for _ in range(rng.randint(1, 4)):
            changes, text = random_changes(rng, text, encoding)
            version += 1
            self.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=changes,
                )
            )
            self.tally.changes += len(changes)
            label = f"{len(changes)} changes"
            if rng.random() < 0.3:
                await self._gather(rng.sample(self._requests(uri, text), 2), text)
        await self._gather(rng.sample(self._requests(uri, text), 3), text)
        await self._same_as_fresh(uri, text, label)
        diagnostics = await self._diagnostics(uri, text)
        asked = rng.sample(await self._edit_requests(uri, text, diagnostics), 2)
        results = await self._gather(asked, text)
        if syntax_clean(text):
            for (method, _), result in zip(asked, results, strict=True):
                for item in result if isinstance(result, list) else [result]:
                    self._check_edits(method, text, item)
        self._close(uri)

    async def warm_up(self) -> None:
        """Open and ask once, uncounted: the first parse also builds the grammar."""
        uri = "file:///fuzz/warm-up.rubric"
        self._open(uri, SEEDS[0])
        await self.client.protocol.send_request_async(
            types.TEXT_DOCUMENT_DOCUMENT_SYMBOL,
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)),
        )
        self._close(uri)

    async def run(self, documents: int, progress: Callable[[Tally], None] | None = None) -> Tally:
        """Fuzz ``documents`` documents; the tally of what was found."""
        await self.warm_up()
        for index in range(documents):
            await self.document()
            if progress is not None and index % 1000 == 999:
                progress(self.tally)
        return self.tally


def _comparable(value: Any) -> Any:
    """A response with its document's URI and result ids left out, for comparing twins."""
    if isinstance(
        value, types.RelatedFullDocumentDiagnosticReport | types.FullDocumentDiagnosticReport
    ):
        return [(d.range, d.code, d.message) for d in value.items]
    if isinstance(value, types.SemanticTokens):
        return value.data
    return value
