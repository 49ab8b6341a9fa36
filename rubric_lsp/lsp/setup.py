"""Wire feature objects into a server: each LSP method registered once, fanned out in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from rubric_lsp.lsp import textsync
from rubric_lsp.lsp.feature import Feature, FeatureSet
from rubric_lsp.lsp.server import RubricLanguageServer


def create_server(
    classes: Iterable[type[Feature]], after_parse: Callable[[], None] = lambda: None
) -> FeatureSet:
    """A server with these features wired in; the set's ``server`` is the server."""
    server = RubricLanguageServer(after_parse)
    features = FeatureSet(server, classes)
    _register_lifecycle(server, features)
    _register_contributions(server, features)
    for feature in features:
        for handler, method in feature.handlers():
            guarded = _guarded(features, feature, method)
            if handler.is_command:
                server.command(handler.method)(guarded)
            else:
                server.feature(handler.method, handler.options)(guarded)
    return features


def _guarded(features: FeatureSet, feature: Feature, method: Callable[..., Any]) -> Any:
    """A handler whose failure is logged and answered with an empty result."""
    name = method.__name__

    if asyncio.iscoroutinefunction(method):

        async def run_async(*args: Any) -> Any:
            try:
                return await method(*args)
            except JsonRpcException:
                raise  # an error meant for the client, e.g. an invalid new name
            except Exception as error:
                features.report(feature, name, error)
                return None

        return run_async

    def run(*args: Any) -> Any:
        try:
            return method(*args)
        except JsonRpcException:
            raise
        except Exception as error:
            features.report(feature, name, error)
            return None

    return run


def _register_lifecycle(server: RubricLanguageServer, features: FeatureSet) -> None:
    """The events every feature may react to, each registered once."""

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        textsync.adopt(server.protocol)
        features.notify("initialize", params)

    # Kept referenced: a task nobody holds may be collected before it ends.
    starting: set[asyncio.Future[None]] = set()

    @server.feature(types.INITIALIZED)
    def initialized(params: types.InitializedParams) -> None:
        # Synchronous, so what `ready` sends precedes the answer to any later request.
        features.notify("ready", params)
        task = asyncio.ensure_future(features.notify_async("initialized", params))
        starting.add(task)
        task.add_done_callback(starting.discard)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        features.notify("document_open", params)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        features.notify("document_change", params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        features.notify("document_save", params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        features.notify("document_close", params)

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        await features.notify_async("shutdown")


def _register_contributions(server: RubricLanguageServer, features: FeatureSet) -> None:
    """Requests answered by every feature that contributes to them, in feature order."""
    acting = features.overriding("code_actions")
    if acting:
        kinds = list(dict.fromkeys(kind for f in acting for kind in f.code_action_kinds))

        @server.feature(
            types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=kinds)
        )
        def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
            if server.open_document(params.text_document.uri) is None:
                return None
            return features.gather("code_actions", params)

    if features.overriding("code_lenses"):

        @server.feature(
            types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False)
        )
        def code_lens(params: types.CodeLensParams) -> list[types.CodeLens]:
            return features.gather("code_lenses", params)
