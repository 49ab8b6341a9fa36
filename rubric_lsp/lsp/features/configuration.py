"""Settings from initializationOptions and workspace/configuration, with bad values reported."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.lsp.settings import SECTION, Settings, read_settings


def apply(ls: RubricLanguageServer, raw: Any, base: Settings | None = None) -> None:
    """Take settings from a client's object, say which values were rejected, tell listeners."""
    settings, problems = read_settings(raw, base)
    for problem in problems:
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"rubric-lsp: {problem}"
            )
        )
    changed = settings != ls.settings
    ls.settings = settings
    if changed:
        for listener in ls.settings_listeners:
            listener()


async def pull(ls: RubricLanguageServer) -> None:
    """Ask the client for the ``rubric`` section, when it can answer."""
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return
    try:
        (raw,) = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as error:  # a client that fails the request keeps the settings it gave
        ls.report_failure("workspace/configuration", error)
        return
    if raw is not None:
        apply(ls, raw, ls.initial_settings)


def register(server: RubricLanguageServer) -> None:
    """Read settings at initialization and whenever the client says they changed."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: RubricLanguageServer, params: types.InitializeParams) -> None:
        # Messages about bad options wait for `initialized`: the client is not ready before.
        ls.initial_settings, ls.initial_problems = read_settings(params.initialization_options)
        ls.settings = ls.initial_settings

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RubricLanguageServer, params: types.InitializedParams) -> None:
        for problem in ls.initial_problems:
            ls.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"rubric-lsp: {problem}"
                )
            )
        await pull(ls)
        for hook in ls.initialized_hooks:
            try:
                await hook()
            except Exception as error:  # one hook failing must not stop the others
                ls.report_failure("initialized", error)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed(ls: RubricLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
        # Some clients send their whole configuration, where `rubric` may be something else.
        if isinstance(pushed, dict):
            apply(ls, pushed, ls.initial_settings)
        else:
            await pull(ls)
