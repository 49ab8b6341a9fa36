"""A real HTTP server on localhost that speaks OpenAI chat completions with scripted replies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROMPT_TOKENS = 120
COMPLETION_TOKENS = 30


@dataclass(frozen=True)
class Reply:
    """One scripted answer: an HTTP status, headers, and a message content or a raw body."""

    status: int = 200
    # The assistant message's content; None: a valid judgement built from the request.
    content: str | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    points: float = 4.0
    citations: tuple[str, ...] = ()
    # Criteria the valid judgement leaves out.
    leave_out: tuple[str, ...] = ()


def judged_names(request: dict[str, Any]) -> list[str]:
    """The criterion names the request's schema asks for."""
    schema = request["response_format"]["json_schema"]["schema"]
    return list(schema["properties"]["criteria"]["items"]["properties"]["name"]["enum"])


def judgement(request: dict[str, Any], reply: Reply) -> str:
    """A reply of the schema's shape for every criterion the request names."""
    return json.dumps(
        {
            "criteria": [
                {
                    "name": name,
                    "steps": [
                        f"1. {name} looks handled in the diff.",
                        f"2. Score: {reply.points:g}",
                    ],
                    "points": reply.points,
                    "citations": list(reply.citations),
                }
                for name in judged_names(request)
                if name not in reply.leave_out
            ]
        }
    )


def completion(content: str, model: str) -> bytes:
    """A chat.completion object carrying ``content``."""
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": PROMPT_TOKENS,
                "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
            },
        }
    ).encode()


class JudgeServer:
    """The scripted replies, in order (the last repeats), and every request received."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [Reply()]
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.times: list[float] = []
        # Requests being answered right now, and the most there ever were at once.
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self.url = ""

    def next_reply(self, path: str, request: dict[str, Any]) -> Reply:
        """Record a request and pick its scripted reply."""
        with self._lock:
            self.paths.append(path)
            self.requests.append(request)
            self.times.append(time.monotonic())
            index = min(len(self.requests) - 1, len(self.replies) - 1)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            return self.replies[index]

    def answered(self) -> None:
        """One request's reply has been written (or abandoned)."""
        with self._lock:
            self.in_flight -= 1

    def user_text(self, index: int = 0) -> str:
        """The user message of one request: what the judge was shown."""
        return str(self.requests[index]["messages"][-1]["content"])


def _handler(server: JudgeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:  # http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            reply = server.next_reply(self.path, request)
            try:
                self._answer(request, reply)
            finally:
                server.answered()

        def _answer(self, request: dict[str, Any], reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            if reply.body is not None:
                body = reply.body
            elif reply.status == 200:
                content = reply.content if reply.content is not None else judgement(request, reply)
                body = completion(content, str(request.get("model", "")))
            else:
                body = json.dumps({"error": {"message": f"scripted {reply.status}"}}).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout case)

    return Handler


@contextmanager
def serving(*replies: Reply) -> Iterator[JudgeServer]:
    """A judge server on a free localhost port for the duration of the block."""
    judge = JudgeServer(*replies)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(judge))
    httpd.daemon_threads = True
    judge.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield judge
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


ReplyFactory = Callable[[dict[str, Any]], Reply]
