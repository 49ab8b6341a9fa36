"""`rubric-lsp --tcp` serves the protocol on a socket, for debugging."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(connection: socket.socket) -> dict[str, Any]:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, "connection closed"
        received += chunk
    header, body = received.split(b"\r\n\r\n", 1)
    length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "connection closed"
        body += chunk
    message: dict[str, Any] = json.loads(body[:length])
    return message


def test_tcp_initialize() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rubric_lsp.lsp", "--tcp", "--port", str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not listen"
                time.sleep(0.1)
        with connection:
            connection.sendall(
                _message(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {"processId": None, "rootUri": None, "capabilities": {}},
                    }
                )
            )
            body = _read_message(connection)
        capabilities = body["result"]["capabilities"]
        assert capabilities["renameProvider"]
        assert capabilities["semanticTokensProvider"]["full"] is True
        assert body["result"]["serverInfo"]["name"] == "rubric-lsp"
    finally:
        server.terminate()
        server.wait(timeout=10)
