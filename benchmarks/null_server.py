"""A language server that does nothing: the floor of what a benchmark's client and pipe cost.

Run by bench_storm.py's ``--floor``: it answers every request with null as soon as it reads
it, and publishes empty diagnostics for every 50th version (and the first), which is
what the storm waits for. The latencies it shows are the client's own and the pipe's, so
the real server's figures beside it can be read as what the server adds.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# The storm's versions are 1, then 2..edits+1: these include the first and the last.
PUBLISH_EVERY = 50


def send(out: Any, message: dict[str, Any]) -> None:
    """Write one framed JSON-RPC message."""
    body = json.dumps(message).encode()
    out.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    out.flush()


def read(stream: Any) -> dict[str, Any] | None:
    """One framed message, or None at the end of the stream."""
    length = 0
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def main() -> None:
    """Answer until the client says exit or closes the pipe."""
    stream, out = sys.stdin.buffer, sys.stdout.buffer
    while (message := read(stream)) is not None:
        method = message.get("method")
        if method == "exit":
            return
        if "id" in message and method:
            result = None
            if method == "initialize":
                result = {"capabilities": {"textDocumentSync": 2, "hoverProvider": True}}
            send(out, {"jsonrpc": "2.0", "id": message["id"], "result": result})
        if method in ("textDocument/didOpen", "textDocument/didChange"):
            document = message["params"]["textDocument"]
            if document["version"] % PUBLISH_EVERY == 1:
                params = {"uri": document["uri"], "version": document["version"], "diagnostics": []}
                send(
                    out,
                    {
                        "jsonrpc": "2.0",
                        "method": "textDocument/publishDiagnostics",
                        "params": params,
                    },
                )


if __name__ == "__main__":
    main()
