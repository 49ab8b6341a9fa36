"""The JSON-RPC side of the server: one answer to every request, and nothing kept after it.

pygls drops a request it cannot read without answering, answers requests sent before
``initialize``, and keeps the future of every notification for the rest of the session
(about 2 KB each). This protocol answers every request it can find an id in, refuses
requests before ``initialize`` and after ``shutdown`` as LSP says, and forgets each
handler's future once it is done. The messages of typing (didChange, hover, completion)
skip pygls's per-message machinery, and answers are written without blocking the loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import functools
import inspect
import json
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

import attrs
from lsprotocol import types
from pygls.exceptions import (
    FeatureRequestError,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol

from rubric_lsp.lsp.framing import Frame, Framer, Malformed

logger = logging.getLogger(__name__)

# Read this much of the stream at a time; one wake-up of the event loop per read.
CHUNK = 256 * 1024
_ANSWERED_BEFORE_INITIALIZE = frozenset({types.INITIALIZE, types.SHUTDOWN})
_HEARD_BEFORE_INITIALIZE = frozenset({types.EXIT, "$/cancelRequest", "$/setTrace"})


@attrs.frozen
class Encoded:
    """A request's result already encoded as JSON text: sent as it is."""

    json: str


def _is_id(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


class RubricProtocol(LanguageServerProtocol):
    """pygls's LSP protocol, answering malformed and early requests, forgetting done futures."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self._writing: set[asyncio.Future[Any]] = set()

    # Bodies come from the framer; each is read here instead of in pygls's reader, so
    # that what cannot be read is answered when it has an id.

    def handle_body(self, body: bytes) -> bool:
        """Handle one message body, answering what cannot be read; True when it started no task."""
        try:
            data = json.loads(body)
        except ValueError as error:
            self._answer(None, JsonRpcParseError(f"not JSON: {error}"))
            return True
        if not isinstance(data, dict):
            self._answer(None, JsonRpcInvalidRequest("a message must be a JSON object"))
            return True
        msg_id = data.get("id")
        has_id = "id" in data and msg_id is not None
        if has_id and not _is_id(msg_id):
            self._answer(None, JsonRpcInvalidRequest("an id must be a number or a string"))
            return True
        method = data.get("method")
        is_request = has_id and "method" in data
        if "method" in data and not isinstance(method, str):
            self._refuse(msg_id if is_request else None, "a method must be a string", is_request)
            return True
        if data.get("jsonrpc") != self.VERSION:
            self._refuse(msg_id, 'a message must say "jsonrpc": "2.0"', is_request)
            return True
        if "method" not in data and not has_id:
            self._refuse(None, "a message needs a method or an id", True)
            return True
        if method == types.TEXT_DOCUMENT_DID_CHANGE and not is_request and self.initialize_seen:
            quick = _did_change_params(data.get("params"))
            if quick is not None:
                self._did_change(quick)
                return True
        if (
            is_request
            and method in _POSITION_REQUESTS
            and self.initialize_seen
            and not self._shutdown
        ):
            handler = self.fm.features.get(method)
            params = _position_params(method, data.get("params"))
            if params is not None and handler and not inspect.iscoroutinefunction(handler):
                self._answer_now(msg_id, handler, params)
                return True
        try:
            message = self.structure_message(data)
        except JsonRpcException as error:
            if is_request:
                self._answer(msg_id, error)
            else:
                logger.warning("dropped a malformed %s: %s", method or "response", error)
            return True
        if method == types.TEXT_DOCUMENT_DID_CHANGE and not is_request and self.initialize_seen:
            self._did_change(message.params)
            return True
        self.handle_message(message)
        return False

    def _did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        """Apply a change and tell the server, without pygls's per-message futures."""
        # The most frequent message by far: an edit storm is thousands of them, and
        # pygls's generator, futures and ids cost more than the edit itself.
        if self._shutdown:
            return
        try:
            for change in params.content_changes:
                self.workspace.update_text_document(params.text_document, change)
            handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
            if handler is not None:
                handler(params)
        except Exception as error:  # e.g. a change to a document never opened
            self._server._report_server_error(error, JsonRpcException)

    async def handlers_done(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) for the requests still being answered."""
        # Asynchronous handlers run as tasks; what the server asked the client is left.
        # (pygls types the table as concurrent futures; an async handler's is a Task.)
        futures: list[Any] = list(self._request_futures.values())
        running = [f for f in futures if isinstance(f, asyncio.Task)]
        if running:
            await asyncio.wait(running, timeout=timeout)
        await asyncio.sleep(0)  # their answers are sent by done callbacks

    def _answer_now(self, msg_id: Any, handler: Callable[[Any], Any], params: Any) -> None:
        """Run a synchronous request handler and send its answer, as pygls would."""
        # Hover and completion come between keystrokes: pygls's futures, callbacks and
        # context copies cost about as much as answering them.
        try:
            result = handler(params)
        except JsonRpcException as error:
            logger.exception("request %s failed", msg_id)
            self._send_response(msg_id, error=error.to_response_error())
            self._server._report_server_error(error, FeatureRequestError)
        except Exception:
            internal = JsonRpcInternalError.of(sys.exc_info())  # type: ignore[no-untyped-call]
            logger.exception("request %s failed", msg_id)
            self._send_response(msg_id, error=internal.to_response_error())
            self._server._report_server_error(internal, FeatureRequestError)
        else:
            self._send_response(msg_id, result=result)

    def _refuse(self, msg_id: Any, why: str, is_request: bool) -> None:
        if is_request or msg_id is None:
            self._answer(msg_id if _is_id(msg_id) else None, JsonRpcInvalidRequest(why))
        else:
            logger.warning("dropped a malformed message: %s", why)

    def _answer(self, msg_id: Any, error: JsonRpcException) -> None:
        logger.warning("answered %s with an error: %s", msg_id, error.message)
        if msg_id is None:
            # JSON-RPC wants "id": null here, which the converter would leave out.
            payload = self._converter.unstructure(error.to_response_error())
            self._send_data({"jsonrpc": self.VERSION, "id": None, "error": payload})
            return
        self._send_response(msg_id, error=error.to_response_error())

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """Send a response; an ``Encoded`` result goes out as the JSON it already is."""
        if error is not None or not isinstance(result, Encoded):
            super()._send_response(msg_id, result, error)
            return
        body = f'{{"jsonrpc":"2.0","id":{json.dumps(msg_id)},"result":{result.json}}}'.encode()
        if self._include_headers:
            header = (
                f"Content-Length: {len(body)}\r\n"
                f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            )
            body = header.encode() + body
        self._write(body)

    def _write(self, data: bytes) -> None:
        """Write bytes to the client as pygls's ``_send_data`` does."""
        if self.writer is None:
            logger.error("no transport to send a response on")
            return
        try:
            written = self.writer.write(data)
            if inspect.isawaitable(written):
                # Held until written: a task nobody holds may be collected before it ends.
                task = asyncio.ensure_future(written)
                self._writing.add(task)
                task.add_done_callback(self._writing.discard)
        except BrokenPipeError:
            logger.exception("could not send a response: the client's pipe is closed")
            raise
        except Exception as error:
            logger.exception("could not send a response")
            self._server._report_server_error(error, JsonRpcInternalError)

    def handle_frame(self, frame: Frame) -> bool:
        """Handle a body, or log what the framer dropped; whether it started no task."""
        if isinstance(frame, Malformed):
            logger.warning("dropped bytes that were not a message: %s", frame.reason)
            return True
        try:
            return self.handle_body(frame)
        except Exception:  # one bad message must not end the session
            logger.exception("could not handle a message")
            return True

    def handle_message(self, message: Any) -> None:
        """Refuse requests before initialize and after shutdown; dispatch the rest as pygls does."""
        # pygls tells messages apart with runtime-checked protocols, which costs more than
        # handling a didChange; the message's attributes say the same.
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        if message.jsonrpc != self.VERSION:
            logger.warning("dropped a message of JSON-RPC %r", message.jsonrpc)
            return
        context = contextvars.copy_context()
        if method is not None and msg_id is not None:
            if not self.initialize_seen and method not in _ANSWERED_BEFORE_INITIALIZE:
                self._answer(msg_id, JsonRpcServerNotInitialized())
            elif self._shutdown and method != types.EXIT:
                self._answer(msg_id, JsonRpcInvalidRequest("the server is shutting down"))
            else:
                self.initialize_seen = self.initialize_seen or method == types.INITIALIZE
                context.run(self._handle_request, msg_id, method, message.params)
        elif method is not None:
            if not self.initialize_seen and method not in _HEARD_BEFORE_INITIALIZE:
                logger.warning("dropped %s sent before initialize", method)
            elif self._shutdown and method != types.EXIT:
                logger.warning("dropped %s sent after shutdown", method)
            else:
                context.run(self._handle_notification, method, message.params)
        elif msg_id is None:
            logger.warning("dropped a response without an id")
        elif getattr(message, "error", None) is not None:
            context.run(self._handle_response, msg_id, None, message.error)
        else:
            context.run(self._handle_response, msg_id, getattr(message, "result", None))

    def _handle_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """Hand a client's answer to its request's future, unless that was cancelled."""
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            # A request the server gave up on (a cancelled run's progress token): pygls
            # would raise setting its result.
            del self._request_futures[msg_id]
            logger.info("dropped the answer to %s, a request no longer waited for", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Run a handler as pygls does, then forget its future once it is done."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is None:
            return
        # pygls removes a request's future when it answers, but never a notification's.
        futures = self._request_futures

        def forget(done: Any) -> None:
            # Cancelled ones are left to whoever cancelled them: shutdown cancels while
            # it walks the table.
            if not done.cancelled() and futures.get(msg_id) is done:
                del futures[msg_id]

        if future.done():
            forget(future)
        else:
            future.add_done_callback(forget)


def _position(data: Any) -> types.Position:
    line, character = data["line"], data["character"]
    if type(line) is not int or type(character) is not int:
        raise TypeError("a position's line and character are integers")
    return types.Position(line=line, character=character)


# The requests of a document and a position that are read and answered without pygls's
# dispatch, and the params each may carry.
_POSITION_REQUESTS: dict[str, frozenset[str]] = {
    types.TEXT_DOCUMENT_HOVER: frozenset({"textDocument", "position"}),
    types.TEXT_DOCUMENT_COMPLETION: frozenset({"textDocument", "position", "context"}),
}


def _position_params(method: str, params: Any) -> Any:
    """Hover or completion params read directly; None when not of the usual shape."""
    # Anything else (progress tokens, unknown keys, wrong types) goes through pygls,
    # which structures it or answers the error.
    try:
        if not params.keys() <= _POSITION_REQUESTS[method]:
            return None
        uri = params["textDocument"]["uri"]
        if not isinstance(uri, str):
            return None
        document = types.TextDocumentIdentifier(uri=uri)
        position = _position(params["position"])
        if method == types.TEXT_DOCUMENT_HOVER:
            return types.HoverParams(text_document=document, position=position)
        context = params.get("context")
        if context is not None:
            trigger = context.get("triggerCharacter")
            if not context.keys() <= {"triggerKind", "triggerCharacter"} or not (
                trigger is None or isinstance(trigger, str)
            ):
                return None
            kind = types.CompletionTriggerKind(context["triggerKind"])
            context = types.CompletionContext(trigger_kind=kind, trigger_character=trigger)
        return types.CompletionParams(text_document=document, position=position, context=context)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _did_change_params(params: Any) -> types.DidChangeTextDocumentParams | None:
    """didChange params read directly; None when they are not of the usual shape."""
    # The generic converter costs more than the edit; anything unusual goes through it.
    try:
        document = params["textDocument"]
        uri, version = document["uri"], document["version"]
        if not isinstance(uri, str) or type(version) is not int:
            return None
        changes: list[types.TextDocumentContentChangeEvent] = []
        for change in params["contentChanges"]:
            text = change["text"]
            if not isinstance(text, str):
                return None
            if "range" not in change:
                changes.append(types.TextDocumentContentChangeWholeDocument(text=text))
                continue
            rng = change["range"]
            changes.append(
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=_position(rng["start"]), end=_position(rng["end"])),
                    text=text,
                )
            )
    except (KeyError, TypeError):
        return None
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=changes,
    )


def read_stream(stream: BinaryIO, deliver: Callable[[list[Frame] | None], None]) -> None:
    """Read a stream to its end in this thread, delivering its frames; None at the end."""
    framer = Framer()
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        read: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
    else:
        # Not through the buffered reader: its lock, held by a read that never returns,
        # would stop the interpreter from exiting.
        read = functools.partial(os.read, descriptor)
    try:
        while True:
            data = read(CHUNK)
            if not data:
                break
            frames = framer.feed(data)
            if frames:
                deliver(frames)
    except (OSError, ValueError) as error:  # the client closed the pipe under us
        logger.info("stopped reading: %s", error)
    finally:
        deliver(None)


class _PipeState(asyncio.Protocol):
    """Notes when the client's end of the pipe goes away."""

    def __init__(self) -> None:
        self.lost: Exception | None = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or BrokenPipeError("the client closed its end of the pipe")


class PipeWriter:
    """Writes to the client's pipe without ever blocking the event loop."""

    # Long enough to flush what is queued when the client reads; bounded when it never does.
    CLOSE_TIMEOUT = 5.0

    def __init__(self, transport: asyncio.WriteTransport, state: _PipeState, fd: int) -> None:
        self._transport = transport
        self._state = state
        self._fd = fd

    @classmethod
    async def connect(cls, stream: BinaryIO, reading: BinaryIO) -> PipeWriter | None:
        """A writer over a pipe that is not also ``reading``; None for anything else."""
        # The transport makes the descriptor non-blocking and watches it for reading (to
        # notice the client leave): a socket that is stdin too would be read as closed,
        # a terminal is shared with a shell, and a file never fills up.
        try:
            fd = stream.fileno()
            written = os.fstat(fd)
            read = os.fstat(reading.fileno())
        except (AttributeError, OSError, ValueError) as error:
            logger.info("writing without a pipe transport: %s", error)
            return None
        if not stat.S_ISFIFO(written.st_mode) or os.path.samestat(written, read):
            return None
        loop = asyncio.get_running_loop()
        try:
            transport, state = await loop.connect_write_pipe(_PipeState, stream)
        except (ValueError, OSError, NotImplementedError) as error:
            logger.info("writing without a pipe transport: %s", error)
            return None
        return cls(transport, state, fd)

    def write(self, data: bytes) -> None:
        """Write now what the pipe takes; the event loop writes the rest when it can."""
        # A client that stops reading fills the pipe; a blocking write would then stop
        # the event loop, and every request, with it.
        if self._state.lost is not None or self._transport.is_closing():
            raise BrokenPipeError("the client's end of the pipe is closed")
        self._transport.write(data)

    async def close(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Write what is buffered (waiting at most ``timeout`` seconds), then close the pipe."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (
            self._transport.get_write_buffer_size()
            and self._state.lost is None
            and asyncio.get_running_loop().time() < deadline
        ):
            await asyncio.sleep(0.01)
        # Blocking again, as it was given: another process may share the descriptor.
        with contextlib.suppress(OSError):
            os.set_blocking(self._fd, True)
        if self._transport.get_write_buffer_size():
            self._transport.abort()  # the client stopped reading: what is left is dropped
        else:
            self._transport.close()


async def serve_stream(protocol: RubricProtocol, stream: BinaryIO) -> None:
    """Handle every message of a stream until it ends; reading runs in its own thread."""
    # One thread reads and splits the stream, so a message costs one wake-up of the loop
    # and reading never waits for a worker thread to hand back the interpreter.
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    queued: collections.deque[Frame] = collections.deque()
    draining = False
    at_end = False

    def finish() -> None:
        if not ended.done():
            ended.set_result(None)

    def handle(frames: list[Frame] | None) -> None:
        nonlocal draining, at_end
        if frames is None:
            # The input ended; what was read before it is still handled.
            at_end = True
            if not draining:
                finish()
            return
        queued.extend(frames)
        if not draining:
            draining = True
            drain()

    def drain() -> None:
        nonlocal draining
        while queued:
            quick = protocol.handle_frame(queued.popleft())
            if not quick and queued:
                # A task the message started takes its first step before the next message,
                # as when messages arrive one by one; later reads queue up behind.
                loop.call_soon(drain)
                return
        draining = False
        if at_end:
            finish()

    def deliver(frames: list[Frame] | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is ending
            loop.call_soon_threadsafe(handle, frames)

    reader = threading.Thread(
        target=read_stream, args=(stream, deliver), name="rubric-lsp-reader", daemon=True
    )
    reader.start()
    await ended


async def serve_connection(
    protocol: RubricProtocol, reader: asyncio.StreamReader, stop: threading.Event
) -> None:
    """Handle every message of a TCP connection until it closes."""
    framer = Framer()
    while not stop.is_set():
        data = await reader.read(CHUNK)
        if not data:
            return
        for frame in framer.feed(data):
            if not protocol.handle_frame(frame):
                await asyncio.sleep(0)  # let the task the message started take its first step
