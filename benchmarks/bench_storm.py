"""Hover and completion latency during an edit storm, and the server's memory over many edits.

Run: python benchmarks/bench_storm.py [--edits 1000] [--memory-edits 10000] [--cycles 10000]

Opens a 1,000-line rubric and sends edits back to back (no wait between them), with a
hover or completion request after every few edits; prints p50/p99 of those requests and
checks that the last publication is of the last version and versions never go back.
Then sends many more edits, and many open/close cycles, and prints the server's RSS
before and after each, with the load average (the machine may be shared).
Targets: hover and completion p99 under 50 ms during the storm; RSS flat within 5 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench_language import generate
from lsprotocol import types
from pygls.lsp.client import LanguageClient

URI = "file:///bench/storm.rubric"


def rss_mb(pid: int) -> float:
    """The resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    """The 1-minute load average and the number of cores."""
    return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def report(name: str, samples: list[float]) -> None:
    """Print p50/p99 of latencies in ms."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(
        f"{name:<12} n={len(ordered):<5} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"
        f"   max {ordered[-1]:7.2f} ms"
    )


class Storm:
    """A client that records every publication's version."""

    def __init__(self) -> None:
        self.client = LanguageClient("rubric-lsp-storm", "1")
        self.versions: dict[str, list[int | None]] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.versions.setdefault(params.uri, []).append(params.version)

    @property
    def pid(self) -> int:
        """The server's process id."""
        server: Any = self.client._server  # pygls keeps the process here
        return int(server.pid)

    def open(self, uri: str, text: str) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="rubric", version=1, text=text
                )
            )
        )

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def edit(self, uri: str, version: int, line: int, column: int, text: str) -> None:
        start = types.Position(line=line, character=column)
        end = types.Position(line=line, character=column + 1)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=start, end=end), text=text
                    )
                ],
            )
        )

    async def settle(self, uri: str, version: int, timeout: float = 60.0) -> None:
        """Wait until the diagnostics of ``version`` are published."""
        deadline = time.monotonic() + timeout
        while not self.versions.get(uri) or self.versions[uri][-1] != version:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no diagnostics of version {version}: {self.versions.get(uri, [])[-5:]}"
                )
            await asyncio.sleep(0.01)


async def timed(call: Any) -> float:
    start = time.perf_counter()
    await call
    return (time.perf_counter() - start) * 1000


async def storm(
    bench: Storm, text: str, edits: int, every: int, rng: random.Random
) -> tuple[list[float], list[float], int]:
    """Edits back to back with a request every ``every`` edits; the latencies and last version."""
    client = bench.client
    lines = text.split("\n")
    score_lines = [i for i, line in enumerate(lines) if line.startswith("  c") and '"' in line]
    doc = types.TextDocumentIdentifier(uri=URI)
    hovers: list[float] = []
    completions: list[float] = []
    pending: list[asyncio.Task[None]] = []

    async def hover(position: types.Position) -> None:
        hovers.append(
            await timed(
                client.text_document_hover_async(
                    types.HoverParams(text_document=doc, position=position)
                )
            )
        )

    async def complete(position: types.Position) -> None:
        completions.append(
            await timed(
                client.text_document_completion_async(
                    types.CompletionParams(text_document=doc, position=position)
                )
            )
        )

    version = 1
    for index in range(edits):
        version += 1
        line = rng.choice(score_lines)
        column = lines[line].index(" ", 2) + 1
        bench.edit(URI, version, line, column, str(rng.randrange(6)))
        if index % every == every - 1:
            position = types.Position(line=line, character=rng.randrange(2, column))
            request = hover if (index // every) % 2 else complete
            pending.append(asyncio.ensure_future(request(position)))
        # Let the client write the message, as an editor does between keystrokes.
        await asyncio.sleep(0)
    await asyncio.gather(*pending)
    return hovers, completions, version


async def run(edits: int, memory_edits: int, cycles: int, every: int, delay: int) -> int:
    bench = Storm()
    client = bench.client
    await client.start_io(
        *os.environ.get("RUBRIC_LSP_SERVER", f"{sys.executable} -m rubric_lsp.lsp").split()
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"diagnosticDelay": delay},
        )
    )
    client.initialized(types.InitializedParams())
    text = generate(1000)
    rng = random.Random(1)
    bench.open(URI, text)
    await bench.settle(URI, 1)
    failures = 0

    print(
        f"edit storm: {edits} edits back to back on a {text.count(chr(10))}-line rubric,"
        f" a request every {every}"
    )
    print(f"  {load()}")
    hovers, completions, version = await storm(bench, text, edits, every, rng)
    await bench.settle(URI, version)
    report("hover", hovers)
    report("completion", completions)
    published = [v for v in bench.versions[URI] if v is not None]
    ordered = all(a <= b for a, b in itertools.pairwise(published))
    print(
        f"  publications {len(published)}, last version {published[-1]} of {version},"
        f" never back: {ordered}"
    )
    failures += published[-1] != version or not ordered

    before = rss_mb(bench.pid)
    _, _, version = await storm(bench, text, memory_edits, every, rng)
    await bench.settle(URI, version)
    after = rss_mb(bench.pid)
    print(
        f"{memory_edits} more edits: RSS {before:.1f} -> {after:.1f} MB"
        f" ({after - before:+.1f} MB); {load()}"
    )

    small = generate(60)
    before = rss_mb(bench.pid)
    for cycle in range(cycles):
        uri = f"file:///bench/cycle-{cycle}.rubric"
        bench.open(uri, small)
        bench.close(uri)
        if cycle % 100 == 99:
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=URI),
                    position=types.Position(line=0, character=0),
                )
            )
    await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=0, character=0),
        )
    )
    await asyncio.sleep(0.5)
    after = rss_mb(bench.pid)
    print(
        f"{cycles} open/close cycles: RSS {before:.1f} -> {after:.1f} MB"
        f" ({after - before:+.1f} MB); {load()}"
    )

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return int(failures)


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--memory-edits", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=5, help="a request after this many edits")
    parser.add_argument("--delay", type=int, default=50, help="the diagnosticDelay setting (ms)")
    args = parser.parse_args()
    raise SystemExit(
        asyncio.run(run(args.edits, args.memory_edits, args.cycles, args.every, args.delay))
    )


if __name__ == "__main__":
    main()
