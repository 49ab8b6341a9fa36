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
