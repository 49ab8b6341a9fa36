"""`rubric mcp`: serve a repository's rubric and its scoring to coding agents over MCP (stdio)."""

from __future__ import annotations

import argparse

from rubric_lsp.commands.output import print_error

COMMAND = "mcp"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rubric mcp`."""
    parser.add_argument(
        "--repo", default=".", metavar="PATH", help="the repository to serve (default: .)"
    )
    parser.add_argument(
        "--rubric", metavar="PATH", help="the rubric file (default: the one at the root)"
    )
    parser.add_argument(
        "--trusted",
        action="store_true",
        help="let tests, coverage and benchmark run the repository's code (default: untrusted)",
    )
    parser.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help="neither read nor write the result cache",
    )


def run(args: argparse.Namespace) -> int:
    """Serve on stdin and stdout until the client closes them; 2 without the mcp package."""
    try:
        from rubric_lsp.agents.mcp_server import ServerConfig, serve
    except ImportError as error:
        print_error(COMMAND, f"{error}; install it with: pip install 'rubric-lsp[mcp]'")
        return 2
    serve(ServerConfig(args.repo, args.rubric, args.trusted, args.use_cache))
    return 0
