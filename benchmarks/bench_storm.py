"""Hover and completion latency during an edit storm, and the server's memory over many edits.

Run: python benchmarks/bench_storm.py [--edits 1000] [--memory-edits 10000] [--cycles 10000]

Opens a 1,000-line rubric and sends edits back to back (no wait between them; or
``--interval`` ms apart), with a hover or completion request after every few edits;
prints p50/p99 of those requests and checks that the last publication is of the last
version and versions never go back.
Then sends many more edits, and many open/close cycles, and prints the server's RSS
before and after each, with the load average (the machine may be shared).
Targets: hover and completion p99 under 50 ms during the storm; RSS flat within 5 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_language import generate
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter

URI = "file:///bench/storm.rubric"
# One converter for every message the in-process run builds: making one costs milliseconds.
CONVERTER = default_converter()


def rss_mb(pid: int) -> float:
    """The resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    """The 1-minute load average and the number of cores."""
    return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at this fraction of the sorted samples (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, samples: list[float]) -> None:
    """Print p50/p99 of latencies in ms."""
    print(
        f"{name:<22} n={len(samples):<5} p50 {statistics.median(samples):7.2f} ms"
        f"   p99 {percentile(samples, 0.99):7.2f} ms   max {max(samples):7.2f} ms"
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
    bench: Storm, text: str, edits: int, every: int, rng: random.Random, pause: float = 0.0
) -> tuple[list[float], list[float], int]:
    """Edits ``pause`` seconds apart (0: back to back), a request every ``every`` edits."""
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
        await asyncio.sleep(pause)
    await asyncio.gather(*pending)
    return hovers, completions, version


async def start(command: str, delay: int) -> Storm:
    """A client connected to a server started with ``command``, initialized."""
    bench = Storm()
    await bench.client.start_io(*shlex.split(command))
    await bench.client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"diagnosticDelay": delay},
        )
    )
    bench.client.initialized(types.InitializedParams())
    return bench


async def stop(bench: Storm) -> None:
    """Shut the server down."""
    await bench.client.shutdown_async(None)
    bench.client.exit(None)
    await bench.client.stop()


@dataclass
class Round:
    """One storm against one server: request latencies and what was published."""

    hovers: list[float]
    completions: list[float]
    wall: float
    cpu: float
    last_published: bool
    never_back: bool


async def storm_round(
    bench: Storm, text: str, edits: int, every: int, seed: int, pause: float = 0.0
) -> Round:
    """Open the rubric, storm it, wait for the last publication, and close it."""
    bench.versions.pop(URI, None)
    bench.open(URI, text)
    await bench.settle(URI, 1)
    cpu_before, wall_before = cpu_seconds(bench.pid), time.perf_counter()
    hovers, completions, version = await storm(
        bench, text, edits, every, random.Random(seed), pause
    )
    wall = time.perf_counter() - wall_before
    cpu = cpu_seconds(bench.pid) - cpu_before
    await bench.settle(URI, version)
    published = [v for v in bench.versions[URI] if v is not None]
    ordered = all(a <= b for a, b in itertools.pairwise(published))
    bench.close(URI)
    return Round(hovers, completions, wall, cpu, published[-1] == version, ordered)


def print_round(name: str, result: Round) -> None:
    """The latencies of one round, what it cost the server, and whether publishing held."""
    report(f"{name}hover", result.hovers)
    report(f"{name}completion", result.completions)
    print(
        f"  storm took {result.wall:.2f} s, the server {result.cpu:.2f} s of CPU;"
        f" last version published: {result.last_published},"
        f" never back: {result.never_back}; {load()}"
    )


async def compare(
    servers: dict[str, str],
    text: str,
    edits: int,
    every: int,
    rounds: int,
    delay: int,
    pause: float = 0.0,
) -> int:
    """Alternate storms between servers, so each sees the same load; medians over rounds."""
    benches = {name: await start(command, delay) for name, command in servers.items()}
    results: dict[str, list[Round]] = {name: [] for name in servers}
    for index in range(rounds):
        for name, bench in benches.items():
            result = await storm_round(bench, text, edits, every, seed=index, pause=pause)
            results[name].append(result)
            print_round(f"{name} #{index + 1} ", result)
    print(f"medians over {rounds} rounds (p50 and p99 of each round):")
    failures = 0
    for name, found in results.items():
        for kind in ("hovers", "completions"):
            p50s = [percentile(getattr(r, kind), 0.5) for r in found]
            p99s = [percentile(getattr(r, kind), 0.99) for r in found]
            print(
                f"  {name:<10} {kind:<12} p50 {statistics.median(p50s):8.2f} ms"
                f"   p99 {statistics.median(p99s):8.2f} ms"
            )
        failures += sum(not (r.last_published and r.never_back) for r in found)
    for bench in benches.values():
        await stop(bench)
    return failures


async def memory(bench: Storm, text: str, memory_edits: int, cycles: int, every: int) -> None:
    """RSS before and after many more edits, and many open/close cycles."""
    bench.open(URI, text)
    await bench.settle(URI, 1)
    before = rss_mb(bench.pid)
    if memory_edits:
        _, _, version = await storm(bench, text, memory_edits, every, random.Random(2))
        await bench.settle(URI, version)
    after = rss_mb(bench.pid)
    print(
        f"{memory_edits} more edits: RSS {before:.1f} -> {after:.1f} MB"
        f" ({after - before:+.1f} MB); {load()}"
    )
    client = bench.client
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


class Sink:
    """A stand-in for the client's pipe: counts what the server writes."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> None:
        self.written += len(data)

    def close(self) -> None:
        """Nothing to close."""


def message(method: str, params: Any, msg_id: int | None = None) -> bytes:
    """One JSON-RPC message body as a client would send it."""
    body: dict[str, Any] = {
        "jsonrpc": "2.0",
        "method": method,
        "params": CONVERTER.unstructure(params),
    }
    if msg_id is not None:
        body["id"] = msg_id
    return json.dumps(body).encode()


async def server_cpu(text: str, edits: int, every: int, delay: int) -> None:
    """The server's own CPU per message of the storm, in this process: no client, no pipe."""
    # Under load the latencies above mostly measure the scheduler; this is what the
    # server itself spends on each message, the part it can change.
    from rubric_lsp.lsp.main import FEATURES
    from rubric_lsp.lsp.setup import create_server

    protocol = create_server(FEATURES).server.rpc
    protocol.set_writer(Sink())
    capabilities = types.ClientCapabilities()
    init = types.InitializeParams(
        capabilities=capabilities, initialization_options={"diagnosticDelay": delay}
    )
    protocol.handle_body(message(types.INITIALIZE, init, 0))
    await asyncio.sleep(0.1)
    protocol.handle_body(message(types.INITIALIZED, types.InitializedParams()))
    item = types.TextDocumentItem(uri=URI, language_id="rubric", version=1, text=text)
    protocol.handle_body(
        message(types.TEXT_DOCUMENT_DID_OPEN, types.DidOpenTextDocumentParams(text_document=item))
    )
    await asyncio.sleep(2)  # the first parse, off the loop
    lines = text.split("\n")
    score_lines = [i for i, line in enumerate(lines) if line.startswith("  c") and '"' in line]
    doc = types.TextDocumentIdentifier(uri=URI)
    rng = random.Random(1)
    bodies: list[tuple[str, bytes]] = []
    for index in range(edits):
        line = rng.choice(score_lines)
        column = lines[line].index(" ", 2) + 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=line, character=column),
                end=types.Position(line=line, character=column + 1),
            ),
            text=str(rng.randrange(6)),
        )
        versioned = types.VersionedTextDocumentIdentifier(uri=URI, version=index + 2)
        params = types.DidChangeTextDocumentParams(
            text_document=versioned, content_changes=[change]
        )
        bodies.append(("edit", message(types.TEXT_DOCUMENT_DID_CHANGE, params)))
        if index % every == every - 1:
            position = types.Position(line=line, character=rng.randrange(2, column))
            if (index // every) % 2:
                hover = types.HoverParams(text_document=doc, position=position)
                bodies.append(("hover", message(types.TEXT_DOCUMENT_HOVER, hover, index + 1)))
            else:
                complete = types.CompletionParams(text_document=doc, position=position)
                request = message(types.TEXT_DOCUMENT_COMPLETION, complete, index + 1)
                bodies.append(("completion", request))
    spent: dict[str, list[float]] = {}
    for kind, body in bodies:
        start = time.thread_time()
        protocol.handle_body(body)
        await asyncio.sleep(0)  # a request's task runs to its answer
        spent.setdefault(kind, []).append((time.thread_time() - start) * 1000)
    print(f"server CPU per message, in process ({load()}):")
    for kind, samples in spent.items():
        print(
            f"  {kind:<12} n={len(samples):<5} median {statistics.median(samples):6.3f} ms"
            f"   total {sum(samples):8.1f} ms"
        )


async def run(args: argparse.Namespace) -> int:
    """The storm (side by side with a baseline server when given), then memory."""
    command = os.environ.get("RUBRIC_LSP_SERVER", f"{sys.executable} -m rubric_lsp.lsp")
    text = generate(1000)
    spacing = f"{args.interval:g} ms apart" if args.interval else "back to back"
    print(
        f"edit storm: {args.edits} edits {spacing} on a {text.count(chr(10))}-line rubric,"
        f" a request every {args.every}"
    )
    if args.cpu:
        await server_cpu(text, args.edits, args.every, args.delay)
        return 0
    servers = {"server": command}
    if args.baseline:
        servers = {"baseline": args.baseline, **servers}
    if args.floor:
        floor = Path(__file__).with_name("null_server.py")
        servers = {"floor": f"{shlex.quote(sys.executable)} {shlex.quote(str(floor))}", **servers}
    failures = await compare(
        servers, text, args.edits, args.every, args.rounds, args.delay, args.interval / 1000
    )
    if args.memory_edits or args.cycles:
        bench = await start(command, args.delay)
        await memory(bench, text, args.memory_edits, args.cycles, args.every)
        await stop(bench)
    return failures


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--memory-edits", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=5, help="a request after this many edits")
    parser.add_argument("--delay", type=int, default=50, help="the diagnosticDelay setting (ms)")
    parser.add_argument("--rounds", type=int, default=1, help="storms per server")
    parser.add_argument(
        "--interval",
        type=float,
        default=0.0,
        help="milliseconds between edits (default 0: back to back; a fast typist: about 100)",
    )
    parser.add_argument(
        "--baseline",
        help="a command starting another server (e.g. an older checkout's) to storm in turn",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="storm benchmarks/null_server.py in turn too: what the client and pipe alone cost",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="only the server's CPU per message, in this process (rubric_lsp as imported)",
    )
    raise SystemExit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
