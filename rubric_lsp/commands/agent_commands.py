"""The subcommands for coding agents, registered together: prompt, mcp and loop."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `rubric prompt`, `rubric mcp` and `rubric loop` to the command's subparsers."""
    from rubric_lsp.commands import loop, mcp, prompt

    prompt.add_arguments(
        commands.add_parser("prompt", help="the rubric as instructions for a coding agent")
    )
    mcp.add_arguments(
        commands.add_parser("mcp", help="serve the rubric to coding agents over MCP (stdio)")
    )
    loop.add_arguments(
        commands.add_parser("loop", help="run an agent command until the rubric accepts")
    )


def run(args: argparse.Namespace) -> int:
    """Run the agent subcommand the arguments name; its return value is the exit code."""
    if args.command == "prompt":
        from rubric_lsp.commands.prompt import run as run_prompt

        return run_prompt(args)
    if args.command == "loop":
        from rubric_lsp.commands.loop import run as run_loop

        return run_loop(args)
    from rubric_lsp.commands.mcp import run as run_mcp

    return run_mcp(args)
