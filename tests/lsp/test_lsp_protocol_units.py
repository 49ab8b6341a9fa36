"""The JSON-RPC protocol in process: nothing kept per message."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rubric_lsp.lsp.main import FEATURES
from rubric_lsp.lsp.setup import create_server

TEXT = 'task {\n  title "storm"\n}\nreward_rubric {\n  criterion tests weight=2\n}\n'


class Discard:
    """A writer that keeps nothing."""

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def _message(method: str, params: Any, msg_id: int | None = None) -> Any:
    data: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        data["id"] = msg_id
    return data


async def test_no_future_is_kept_per_notification() -> None:
    server = create_server(FEATURES).server
    protocol = server.protocol
    protocol.set_writer(Discard())

    def handle(data: Any) -> None:
        protocol.handle_message(protocol.structure_message(json.loads(json.dumps(data))))

    handle(_message("initialize", {"capabilities": {}}, 1))
    handle(_message("initialized", {}))
    for index in range(300):
        uri = f"file:///storm/{index}.rubric"
        item = {"uri": uri, "languageId": "rubric", "version": 1, "text": TEXT}
        handle(_message("textDocument/didOpen", {"textDocument": item}))
        change = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": TEXT}]}
        handle(_message("textDocument/didChange", change))
        handle(_message("workspace/didChangeConfiguration", {"settings": {"rubric": {}}}))
        handle(_message("textDocument/didSave", {"textDocument": {"uri": uri}}))
        handle(_message("textDocument/didClose", {"textDocument": {"uri": uri}}))
        handle(
            _message(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
                10 + index,
            )
        )
        await asyncio.sleep(0)
    await asyncio.sleep(0.2)
    # pygls 2.1 kept one future per notification: 1,200 here.
    assert len(protocol._request_futures) <= 2


async def test_an_answer_to_a_request_given_up_on_is_dropped() -> None:
    server = create_server(FEATURES).server
    protocol = server.protocol
    protocol.set_writer(Discard())
    waiting = protocol.send_request("window/workDoneProgress/create", {"token": "t"})
    waiting.cancel()
    (msg_id,) = list(protocol._request_futures)
    # pygls set the result of the cancelled future and raised InvalidStateError.
    protocol.handle_message(
        protocol.structure_message({"jsonrpc": "2.0", "id": msg_id, "result": None})
    )
    assert msg_id not in protocol._request_futures


class Keep:
    """A writer that keeps each answer's JSON body."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def write(self, data: bytes) -> None:
        self.bodies.append(json.loads(data.partition(b"\r\n\r\n")[2]))

    def close(self) -> None:
        pass


RUBRIC = (
    'task {\n  title "t"\n}\nreward_rubric {\n  criterion tests weight=2\n'
    '  criterion style weight=1\n}\nscore {\n  tests 3 "ok"\n  st\n}\n'
)
POSITION_REQUESTS = [
    ("textDocument/hover", {"line": line, "character": character})
    for line in range(11)
    for character in (0, 2, 4, 12)
] + [
    ("textDocument/completion", {"line": line, "character": character})
    for line in range(11)
    for character in (0, 2, 4, 12)
]


async def _answers(monkeypatch: Any, direct: bool) -> list[Any]:
    from rubric_lsp.lsp import protocol as protocol_module

    if not direct:
        # Every request through pygls's own reading and dispatch.
        monkeypatch.setattr(protocol_module, "_position_params", lambda method, params: None)
    server = create_server(FEATURES).server
    protocol = server.rpc
    writer = Keep()
    protocol.set_writer(writer)

    def handle(data: Any) -> None:
        protocol.handle_body(json.dumps(data).encode())

    handle(_message("initialize", {"capabilities": {}}, 1))
    await asyncio.sleep(0.1)
    handle(_message("initialized", {}))
    item = {"uri": "file:///a.rubric", "languageId": "rubric", "version": 1, "text": RUBRIC}
    handle(_message("textDocument/didOpen", {"textDocument": item}))
    await asyncio.sleep(1)
    writer.bodies.clear()
    document = {"uri": "file:///a.rubric"}
    for index, (method, position) in enumerate(POSITION_REQUESTS):
        params: dict[str, Any] = {"textDocument": document, "position": position}
        if method == "textDocument/completion" and index % 2:
            params["context"] = {"triggerKind": 1}
        handle(_message(method, params, 100 + index))
        await asyncio.sleep(0)
    # Not of the usual shape: answered by pygls either way.
    handle(_message("textDocument/hover", {"textDocument": document}, 999))
    await asyncio.sleep(0.1)
    return [body for body in writer.bodies if "id" in body]


async def test_hover_and_completion_answered_directly_equal_pyglss_answers(
    monkeypatch: Any,
) -> None:
    direct = await _answers(monkeypatch, direct=True)
    monkeypatch.undo()
    through_pygls = await _answers(monkeypatch, direct=False)
    assert len(direct) == len(POSITION_REQUESTS) + 1
    assert direct == through_pygls
    assert sum(1 for body in direct if body.get("result")) > len(POSITION_REQUESTS) // 2
    assert direct[-1]["error"]["code"] == -32602
