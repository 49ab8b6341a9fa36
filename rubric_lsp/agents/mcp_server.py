"""The MCP server of `rubric mcp`: the rubric up front, the score and the weak criteria mid-task.

Built on the official SDK's MCPServer. Scoring runs in a worker thread with its own event loop,
so the server keeps answering (and reports progress) while checks run; it never changes the
working tree, and runs the repository's code only when started trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError

from rubric_lsp.agents import tools
from rubric_lsp.agents.prompt import FORMATS, PromptFormat
from rubric_lsp.agents.tools import ServerConfig
from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.report import to_json
from rubric_lsp.scoring.result import Progress
from rubric_lsp.scoring.rubricfile import read_rubric

__all__ = ["ServerConfig", "build_server", "serve"]

RESOURCE_URI = "rubric://rubric"
INSTRUCTIONS = (
    "Read the rubric (the rubric_prompt tool) before you write code; call weak_criteria "
    "while you work to see what the measurement finds, and score before you finish."
)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


@contextmanager
def _told_to_the_agent() -> Iterator[None]:
    """A problem the user can fix reaches the agent with its message (a crash would not)."""
    try:
        yield
    except (ScoringError, ValueError) as error:
        raise ToolError(str(error)) from None


async def _score(
    config: ServerConfig,
    context: Context[Any, Any] | None,
    base: str | None,
    patch: str | None,
    only: list[str] | None,
    skip: list[str] | None,
) -> ScoreResult:
    """Score as `rubric score` would, in a worker thread; each finished check is progress."""
    with _told_to_the_agent():
        options = tools.score_options(config, base, patch, only or (), skip or ())

    def progress(event: Progress) -> None:
        # Called in the worker thread: the notification is sent on the server's loop.
        if context is not None:
            message = f"{event.check}: {event.status}"
            anyio.from_thread.run(context.report_progress, event.done, event.total, message)

    with _told_to_the_agent():
        return await anyio.to_thread.run_sync(tools.score_in_thread, options, progress)


def build_server(config: ServerConfig) -> MCPServer:
    """The server with its tools and the rubric resource, for one repository."""
    server = MCPServer("rubric", instructions=INSTRUCTIONS)

    @server.tool()
    def rubric_prompt(output_format: str = "markdown", with_critique: bool = False) -> str:
        """The rubric as instructions: the task, each criterion with its weight and how it is
        measured, and the acceptance rule. Read it before you start. output_format: markdown,
        text or json; with_critique appends the latest critique block's revisions."""
        with _told_to_the_agent():
            if output_format not in FORMATS:
                raise ValueError(f"output_format must be one of {', '.join(FORMATS)}")
            chosen: PromptFormat = output_format  # type: ignore[assignment]
            return tools.prompt_text(config.repo, config.rubric, chosen, with_critique)

    @server.tool()
    async def score(
        ctx: Context[Any, Any],
        base: str | None = None,
        patch: str | None = None,
        only: list[str] | None = None,
        skip: list[str] | None = None,
    ) -> str:
        """Score the working tree's change against the base commit (default HEAD), or a unified
        diff `patch` applied onto the base in a temporary checkout; `only`/`skip` name checks.
        Returns the JSON report of `rubric score --format json`."""
        return to_json(await _score(config, ctx, base, patch, only, skip))

    @server.tool()
    async def weak_criteria(
        ctx: Context[Any, Any],
        base: str | None = None,
        patch: str | None = None,
        only: list[str] | None = None,
        skip: list[str] | None = None,
    ) -> str:
        """The criteria scoring below the threshold, the one whose repair gains the most weighted
        score first, with their reasoning steps and findings (file, line, message)."""
        result = await _score(config, ctx, base, patch, only, skip)
        return _json(tools.weak_criteria(result))

    @server.tool()
    async def critique(
        ctx: Context[Any, Any],
        base: str | None = None,
        patch: str | None = None,
        only: list[str] | None = None,
        skip: list[str] | None = None,
    ) -> str:
        """The measured points as a `rescore` block and a `critique { revise ... }` block for the
        weak criteria (null when none is weak), in the rubric language."""
        return _json(tools.critique(await _score(config, ctx, base, patch, only, skip)))

    @server.tool()
    def check_rubric(text: str) -> str:
        """Diagnostics of a rubric text (syntax and meaning), 1-based positions; [] when clean."""
        return _json(tools.check_rubric(text))

    @server.resource(RESOURCE_URI, name="rubric", mime_type="text/plain")
    def rubric_file() -> str:
        """The text of the rubric file the server scores against."""
        path = tools.rubric_path(config)
        if path is None:
            raise ResourceError("no single *.rubric file at the repository root")
        try:
            return read_rubric(path, str(path))
        except ScoringError as error:
            raise ResourceError(str(error)) from None

    return server


def serve(config: ServerConfig) -> None:
    """Serve on stdio until the client closes the stream."""
    server = build_server(config)
    anyio.run(server.run_stdio_async)
