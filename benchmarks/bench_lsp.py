"""Latency of the language server over stdio, as an editor sees it.

Run: python benchmarks/bench_lsp.py [--requests 200] [--edits 200]

Starts `rubric-lsp`, opens a 1,000-line rubric, sends completion and hover
requests at different positions, then one edit before each request, and
prints p50/p99 per request kind; then times how long after a change the
diagnostics of a 10,000-line rubric are published.
Targets: p99 under 15 ms for completion and hover; 10,000-line diagnostics
within 300 ms of the change.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench_language import generate as generate_rubric
from lsprotocol import types
from pygls.lsp.client import LanguageClient

URI = "file:///bench/rubric.rubric"
BIG_URI = "file:///bench/big.rubric"


def generate(lines: int) -> str:
    """The language benchmark's rubric, with non-ASCII text so UTF-16 columns matter."""
    return generate_rubric(lines, " ☕")


class Bench:
    """A client that timestamps every publishDiagnostics."""

    def __init__(self) -> None:
        self.client = LanguageClient("rubric-lsp-bench", "1")
        self.published: dict[tuple[str, int | None], float] = {}
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published[(params.uri, params.version)] = time.perf_counter()
            self.arrived.set()

    async def diagnostics(self, uri: str, version: int, timeout: float = 30.0) -> float:
        """When the diagnostics of one version arrived."""
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.published:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(0.0, deadline - time.perf_counter()))
        return self.published[(uri, version)]

    def open(self, uri: str, text: str) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="rubric", version=1, text=text
                )
            )
        )

    def change(self, uri: str, version: int, change: types.TextDocumentContentChangeEvent) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(f"{name:<28} n={len(ordered):<4} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


async def run(requests: int, edits: int, big_runs: int) -> None:
    bench = Bench()
    client = bench.client
    await client.start_io(sys.executable, "-m", "rubric_lsp.lsp")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(
                    completion=types.CompletionClientCapabilities(
                        completion_item=types.ClientCompletionItemOptions(snippet_support=True)
                    )
                )
            )
        )
    )
    client.initialized(types.InitializedParams())
    text = generate(1000)
    lines = text.split("\n")
    bench.open(URI, text)
    await bench.diagnostics(URI, 1)
    rng = random.Random(1)
    doc = types.TextDocumentIdentifier(uri=URI)

    def somewhere() -> types.Position:
        line = rng.randrange(len(lines) - 1)
        return types.Position(line=line, character=rng.randrange(len(lines[line]) + 1))

    def completion(position: types.Position) -> Callable[[], Awaitable[Any]]:
        return lambda: client.text_document_completion_async(
            types.CompletionParams(text_document=doc, position=position)
        )

    def hover(position: types.Position) -> Callable[[], Awaitable[Any]]:
        return lambda: client.text_document_hover_async(
            types.HoverParams(text_document=doc, position=position)
        )

    # Warm up imports and caches the way a first request in an editor would.
    for _ in range(5):
        await completion(somewhere())()
        await hover(somewhere())()

    completions = [await timed(completion(somewhere())) for _ in range(requests)]
    hovers = [await timed(hover(somewhere())) for _ in range(requests)]

    # One edit before each request: retype a digit of a score, as when scoring by hand.
    score_lines = [i for i, line in enumerate(lines) if line.startswith("  c") and '"' in line]
    edited_completions: list[float] = []
    edited_hovers: list[float] = []
    diagnostics_after_edit: list[float] = []
    version = 1
    for index in range(edits):
        version += 1
        line = rng.choice(score_lines)
        column = lines[line].index(" ", 2) + 1
        digit = str(rng.randrange(6))
        sent = time.perf_counter()
        bench.change(
            URI,
            version,
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=line, character=column),
                    end=types.Position(line=line, character=column + 1),
                ),
                text=digit,
            ),
        )
        position = types.Position(line=line, character=rng.randrange(2, column))
        if index % 2 == 0:
            edited_completions.append(await timed(completion(position)))
        else:
            edited_hovers.append(await timed(hover(position)))
        if index % 10 == 9:
            # Let this version's diagnostics arrive (others are superseded while typing).
            diagnostics_after_edit.append((await bench.diagnostics(URI, version) - sent) * 1000)

    big = generate(10_000)
    bench.open(BIG_URI, big)
    await bench.diagnostics(BIG_URI, 1)
    big_lines = big.split("\n")
    version = 1

    async def big_edit(line: int, character: int, length: int, new_text: str) -> float:
        nonlocal version
        version += 1
        sent = time.perf_counter()
        bench.change(
            BIG_URI,
            version,
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=line, character=character),
                    end=types.Position(line=line, character=character + length),
                ),
                text=new_text,
            ),
        )
        return (await bench.diagnostics(BIG_URI, version) - sent) * 1000

    # Typing inside a line: only the block around the edit is parsed again.
    in_line = [await big_edit(20 + i, len(big_lines[20 + i]), 0, " ") for i in range(big_runs)]
    # A new line moves every later block: the whole file is parsed again.
    new_line = [await big_edit(5000 + i, 0, 0, "\n") for i in range(big_runs)]
    # A syntax error: the whole file is parsed, with error recovery.
    broken = []
    for i in range(big_runs):
        broken.append(await big_edit(30, 2, 0, "{" if i % 2 == 0 else ""))
        if i % 2 == 0:
            await big_edit(30, 2, 1, "")

    print(f"rubric-lsp over stdio; 1,000-line rubric ({len(lines) - 1} lines)")
    report("completion", completions)
    report("hover", hovers)
    report("completion after an edit", edited_completions)
    report("hover after an edit", edited_hovers)
    report("diagnostics after an edit", diagnostics_after_edit)
    print(f"10,000-line rubric ({len(big_lines) - 1} lines), change -> publishDiagnostics")
    report("edit inside a line", in_line)
    report("edit adding a line", new_line)
    report("edit making an error", broken[::2])

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--big-runs", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.edits, args.big_runs))


if __name__ == "__main__":
    main()
