"""The protocol fuzz at length: random documents, edits and requests through a real server.

Run: python benchmarks/bench_fuzz.py [--documents 100000] [--encoding utf-16|utf-8] [--seed 1]

The same fuzz as tests/lsp/test_lsp_fuzz.py (tests/support/lsp_fuzz.py), with many more
documents. Prints its counts every 1,000 documents and at the end, with the server's
RSS and the load average (the machine may be shared). Targets: 0 failed requests, 0
answers slower than 1 s, 0 ranges outside the document, 0 differences between the
server's text and the client's, 0 edits adding a syntax error; memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.lsp_fuzz import Fuzzer, Tally


def rss_mb(pid: int) -> float:
    """The resident set size of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load() -> str:
    """The 1-minute load average and the number of cores."""
    return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


async def run(documents: int, encoding: str, seed: int) -> int:
    client = LanguageClient("rubric-lsp-fuzz", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        """Pushed diagnostics are not checked here: the fuzz pulls them."""

    await client.start_io(
        *os.environ.get("RUBRIC_LSP_SERVER", f"{sys.executable} -m rubric_lsp.lsp").split()
    )
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[encoding]),
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities(),
            semantic_tokens=types.SemanticTokensClientCapabilities(
                requests=types.ClientSemanticTokensRequestOptions(full=True),
                token_types=[],
                token_modifiers=[],
                formats=[types.TokenFormat.Relative],
            ),
        ),
    )
    result = await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities, initialization_options={"diagnosticDelay": 0}
        )
    )
    client.initialized(types.InitializedParams())
    agreed = str(result.capabilities.position_encoding or "utf-16")
    server: Any = client._server  # pygls keeps the process here
    pid = int(server.pid)
    fuzzer = Fuzzer(client, agreed, random.Random(seed), result.capabilities)
    await fuzzer.warm_up()
    started = time.monotonic()
    first = rss_mb(pid)
    print(f"fuzz: {documents} documents, {agreed} columns, seed {seed}; RSS {first:.1f} MB")

    def progress(tally: Tally) -> None:
        print(
            f"  {tally.summary()}; RSS {rss_mb(pid):.1f} MB;"
            f" {time.monotonic() - started:.0f} s; {load()}",
            flush=True,
        )

    tally = await fuzzer.run(documents, progress)
    last = rss_mb(pid)
    print(tally.summary())
    print(
        f"RSS {first:.1f} -> {last:.1f} MB ({last - first:+.1f} MB);"
        f" {time.monotonic() - started:.0f} s; {load()}"
    )
    for kind, examples in tally.problems().items():
        print(f"{kind}:")
        for example in examples:
            print(f"  {example[:300]}")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return 1 if tally.problems() else 0


def main() -> None:
    """Parse arguments and run the fuzz."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--encoding", default="utf-16", choices=("utf-16", "utf-8", "utf-32"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(run(args.documents, args.encoding, args.seed)))


if __name__ == "__main__":
    main()
