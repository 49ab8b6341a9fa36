"""Malformed bytes on stdin: each gets an error answer or is dropped, and the next request is answered."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.lsp_client import SERVER

HOVER_PARAMS = {
    "textDocument": {"uri": "file:///x.rubric"},
    "position": {"line": 0, "character": 0},
}
HOVER = {"jsonrpc": "2.0", "method": "textDocument/hover", "params": HOVER_PARAMS}


def frame(message: Any, header: str = "Content-Length: {n}\r\n\r\n") -> bytes:
    """A message as a client frames it (or with another header)."""
    body = json.dumps(message).encode()
    return header.format(n=len(body)).encode() + body


class RawServer:
    """A rubric-lsp process spoken to in bytes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.buffer = b""
        self.next_id = 1000

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def messages(self, timeout: float) -> Iterator[dict[str, Any]]:
        """The messages the server writes within ``timeout`` seconds."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\r\n\r\n" in self.buffer:
                header, _, rest = self.buffer.partition(b"\r\n\r\n")
                length = int(header.split(b"\r\n")[0].split(b":")[1])
                if len(rest) < length:
                    break
                self.buffer = rest[length:]
                yield json.loads(rest[:length])
            ready, _, _ = select.select([self.process.stdout], [], [], 0.05)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    return
                self.buffer += chunk

    def answer(self, msg_id: Any, timeout: float = 20.0) -> dict[str, Any]:
        """The server's answer to the request with this id."""
        for message in self.messages(timeout):
            if "method" not in message and message.get("id") == msg_id:
                return message
        raise AssertionError(f"no answer to request {msg_id!r}")

    def hover(self) -> dict[str, Any]:
        """Send a well-formed request and return its answer."""
        self.next_id += 1
        self.send(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": self.next_id,
                    "method": "textDocument/hover",
                    "params": HOVER_PARAMS,
                }
            )
        )
        return self.answer(self.next_id)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    yield server
    server.close()


def initialize(raw: RawServer) -> None:
    raw.send(
        frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    )
    assert "result" in raw.answer(1)
    raw.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))


def test_a_request_before_initialize_is_refused(raw: RawServer) -> None:
    raw.send(
        frame({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": HOVER_PARAMS})
    )
    answer = raw.answer(7)
    assert answer["error"]["code"] == -32002
    initialize(raw)
    assert "result" in raw.hover()


BROKEN_FRAMES = {
    "length not a number": b'Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":5,"method":"shutdown"}',
    "length shorter than the body": b'Content-Length: 5\r\n\r\n{"jsonrpc":"2.0","id":5,"method":"shutdown"}',
    "empty length": b'Content-Length: \r\n\r\n{"jsonrpc":"2.0","id":5,"method":"shutdown"}',
    "no length at all": b'Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0","id":5}',
    "garbage line": b"hello there\r\n",
}


@pytest.mark.parametrize("name", BROKEN_FRAMES)
def test_broken_framing_is_dropped_and_the_session_goes_on(raw: RawServer, name: str) -> None:
    initialize(raw)
    raw.send(BROKEN_FRAMES[name])
    raw.next_id += 1
    raw.send(frame({**HOVER, "id": raw.next_id}))
    answers = []
    for message in raw.messages(20.0):
        if "method" not in message:
            answers.append(message)
            if message.get("id") == raw.next_id:
                break
    assert "result" in answers[-1], answers
    # What was dropped was never handled as a request (a parse error may be answered).
    assert all("error" in answer for answer in answers[:-1]), answers


def test_lenient_headers_are_understood(raw: RawServer) -> None:
    initialize(raw)
    message = {"jsonrpc": "2.0", "id": 41, "method": "textDocument/hover", "params": HOVER_PARAMS}
    raw.send(frame(message, "content-length: {n}\n\n"))
    assert "result" in raw.answer(41)
    message["id"] = 42
    raw.send(
        frame(
            message,
            "CONTENT-LENGTH:{n}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\r\n",
        )
    )
    assert "result" in raw.answer(42)


MALFORMED_REQUESTS: dict[str, tuple[Any, int, Any]] = {
    # name: (body, error code, the id the answer carries)
    "not JSON": (b"{not json", -32700, None),
    "truncated JSON": (b'{"jsonrpc": "2.0", "id": 3, "method": "textDoc', -32700, None),
    "a JSON array": (b"[1, 2]", -32600, None),
    "a JSON number": (b"42", -32600, None),
    "an empty batch": (b"[]", -32600, None),
    "an id that is an object": (
        {"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"},
        -32600,
        None,
    ),
    "an id that is a float": ({"jsonrpc": "2.0", "id": 1.5, "method": "shutdown"}, -32600, None),
    "an id that is true": ({"jsonrpc": "2.0", "id": True, "method": "shutdown"}, -32600, None),
    "a method that is a number": ({"jsonrpc": "2.0", "id": 9, "method": 12}, -32600, 9),
    "no jsonrpc": ({"id": 10, "method": "textDocument/hover", "params": HOVER_PARAMS}, -32600, 10),
    "jsonrpc 1.0": (
        {"jsonrpc": "1.0", "id": 11, "method": "textDocument/hover", "params": HOVER_PARAMS},
        -32600,
        11,
    ),
    "params missing": ({"jsonrpc": "2.0", "id": 12, "method": "textDocument/hover"}, -32602, 12),
    "params a list": (
        {"jsonrpc": "2.0", "id": 13, "method": "textDocument/hover", "params": [1]},
        -32602,
        13,
    ),
    "position missing": (
        {
            "jsonrpc": "2.0",
            "id": 14,
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///x.rubric"}},
        },
        -32602,
        14,
    ),
    "a negative line": (
        {
            "jsonrpc": "2.0",
            "id": 15,
            "method": "textDocument/hover",
            "params": {**HOVER_PARAMS, "position": {"line": -1, "character": 0}},
        },
        -32602,
        15,
    ),
    "a line that is a word": (
        {
            "jsonrpc": "2.0",
            "id": 16,
            "method": "textDocument/completion",
            "params": {**HOVER_PARAMS, "position": {"line": "first", "character": 0}},
        },
        -32602,
        16,
    ),
    "unknown method": (
        {"jsonrpc": "2.0", "id": 17, "method": "rubric/nothing", "params": {}},
        -32601,
        17,
    ),
    "neither method nor id": ({"jsonrpc": "2.0", "params": {}}, -32600, None),
}


def test_every_malformed_request_gets_an_error(raw: RawServer) -> None:
    initialize(raw)
    wrong = []
    for name, (body, code, msg_id) in MALFORMED_REQUESTS.items():
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        raw.send(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        raw.next_id += 1
        raw.send(frame({**HOVER, "id": raw.next_id}))
        answers = []
        for message in raw.messages(20.0):
            if "method" not in message:
                answers.append(message)
                if message.get("id") == raw.next_id:
                    break
        *before, last = answers
        assert "result" in last, (name, last)
        got = [(a.get("id", "missing"), a.get("error", {}).get("code")) for a in before]
        if got != [(msg_id, code)]:
            wrong.append((name, got))
    assert not wrong


def test_a_malformed_notification_is_dropped(raw: RawServer) -> None:
    initialize(raw)
    raw.send(
        frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 3}})
    )
    raw.send(frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {}}))
    raw.send(frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": []}}))
    assert "result" in raw.hover()


def test_a_client_that_stops_reading_cannot_stall_the_server(raw: RawServer) -> None:
    initialize(raw)
    # Far more answers than a pipe holds (64 KB on Linux), none of them read: a server
    # that writes on its event loop blocks in the first write that does not fit, and
    # never reads the shutdown and exit below.
    raw.send(b"".join(frame({**HOVER, "id": n}) for n in range(2, 6002)))
    raw.send(frame({"jsonrpc": "2.0", "id": 9000, "method": "shutdown"}))
    raw.send(frame({"jsonrpc": "2.0", "method": "exit"}))
    # Exit after shutdown: code 0, once the few seconds given to the client to take what
    # is buffered have passed.
    assert raw.process.wait(30) == 0


def test_answers_written_to_a_file_are_all_there(tmp_path: Any) -> None:
    # A file is written as it is given (no pipe transport): every answer, in order, up to
    # the end of the input.
    out = tmp_path / "answers"
    messages = [
        frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        *(frame({**HOVER, "id": n}) for n in range(2, 50)),
    ]
    with out.open("wb") as answers:
        done = subprocess.run(
            SERVER, input=b"".join(messages), stdout=answers, stderr=subprocess.DEVNULL, timeout=60
        )
    assert done.returncode == 0
    ids = [
        json.loads(body)["id"]
        for body in out.read_bytes().split(b"Content-Length")
        if body and b"\r\n\r\n" in body
        for body in [body.partition(b"\r\n\r\n")[2]]
    ]
    assert ids == [1, *range(2, 50)]


def test_requests_read_before_the_input_ends_are_all_answered() -> None:
    # Hovers answer at once, document symbols in a task each: every one read before the
    # end of the input gets its answer on the pipe before the server ends.
    text = 'task {\n  title "t"\n}\nreward_rubric {\n  criterion tests weight=2\n}\n'
    item = {"uri": "file:///a.rubric", "languageId": "rubric", "version": 1, "text": text}
    messages = [
        frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        frame(
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
        ),
    ]
    for n in range(2, 40):
        params: dict[str, Any] = {"textDocument": {"uri": "file:///a.rubric"}}
        method = "textDocument/documentSymbol"
        if n % 3:
            method, params["position"] = "textDocument/hover", {"line": 4, "character": 14}
        messages.append(frame({"jsonrpc": "2.0", "id": n, "method": method, "params": params}))
    done = subprocess.run(
        SERVER, input=b"".join(messages), capture_output=True, timeout=60, check=False
    )
    bodies = [part.partition(b"\r\n\r\n")[2] for part in done.stdout.split(b"Content-Length")]
    answered = [json.loads(body).get("id") for body in bodies if body]
    assert sorted(a for a in answered if a is not None) == list(range(1, 40))


def test_a_socket_that_is_stdin_and_stdout_is_served() -> None:
    # inetd, systemd socket activation, socat EXEC: one socket both ways. Written through a
    # pipe transport it would be made non-blocking for the reader too, and read as closed.
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(SERVER, stdin=theirs, stdout=theirs, stderr=subprocess.DEVNULL)
    theirs.close()
    try:
        ours.sendall(
            frame(
                {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
            )
        )
        ours.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        ours.sendall(frame({**HOVER, "id": 2}))
        received = b""
        deadline = time.monotonic() + 30
        while received.count(b"Content-Length") < 2 and time.monotonic() < deadline:
            if select.select([ours], [], [], 0.2)[0]:
                chunk = ours.recv(65536)
                if not chunk:
                    break
                received += chunk
        ids = [
            json.loads(part.partition(b"\r\n\r\n")[2]).get("id")
            for part in received.split(b"Content-Length")
            if b"\r\n\r\n" in part
        ]
        assert ids == [1, 2]
        assert process.poll() is None
    finally:
        ours.close()
        process.wait(20)
