"""Settings from initializationOptions and workspace/configuration, with bad values reported."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from rubric_lsp.lsp.feature import Feature, request
from rubric_lsp.lsp.settings import SECTION, Settings, read_settings


class ConfigurationFeature(Feature):
    """Read settings at initialization and whenever the client says they changed."""

    # What initializationOptions gave: workspace/configuration values apply over it.
    initial_settings = Settings()
    initial_problems: tuple[str, ...] = ()
    # How many times settings were pushed: a pull answered after a push is out of date.
    pushes = 0
    pulling: asyncio.Future[None] | None = None

    def initialize(self, params: types.InitializeParams) -> None:
        # Messages about bad options wait for `initialized`: the client is not ready before.
        settings, problems = read_settings(params.initialization_options)
        self.initial_settings, self.initial_problems = settings, tuple(problems)
        self.server.settings = settings

    def ready(self, params: types.InitializedParams) -> None:
        for problem in self.initial_problems:
            self._warn(problem)

    async def initialized(self, params: types.InitializedParams) -> None:
        await self.pull()

    @request(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def changed(self, params: types.DidChangeConfigurationParams) -> None:
        """Apply pushed settings, or ask for them when the client sent something else."""
        pushed = params.settings.get(SECTION) if isinstance(params.settings, dict) else None
        # Some clients send their whole configuration, where `rubric` may be something else.
        if isinstance(pushed, dict):
            # Applied before the handler returns: a request sent right after sees them.
            self.pushes += 1
            self.apply(pushed, self.initial_settings)
        else:
            self.pulling = asyncio.ensure_future(self.pull())

    def apply(self, raw: Any, base: Settings | None = None) -> None:
        """Take settings from a client's object, say which values were rejected, tell features."""
        settings, problems = read_settings(raw, base)
        for problem in problems:
            self._warn(problem)
        changed = settings != self.server.settings
        self.server.settings = settings
        if changed:
            self.features.settings_changed()

    async def pull(self) -> None:
        """Ask the client for the ``rubric`` section, when it can answer."""
        ls = self.server
        workspace = ls.client_capabilities.workspace
        if workspace is None or not workspace.configuration:
            return
        pushes = self.pushes
        try:
            (raw,) = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception as error:  # a client that fails the request keeps the settings it gave
            ls.report_failure("workspace/configuration", error)
            return
        if raw is not None and pushes == self.pushes:
            self.apply(raw, self.initial_settings)

    def _warn(self, problem: str) -> None:
        self.server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"rubric-lsp: {problem}"
            )
        )
