"""An MCP session with `rubric mcp`, through the SDK's own stdio client, and a change to score."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from .gitrepo import edit

# A change with a bandit finding and an undocumented public function: two weak criteria.
SHELL_FUNCTION = """

def run_shell(command):
    return subprocess.call(command, shell=True)
"""


def weaken(repo: Path) -> None:
    """Add the change: security and docs then score below the threshold."""
    edit(
        repo,
        "calc/core.py",
        "    return done.stdout.split()\n",
        "    return done.stdout.split()\n" + SHELL_FUNCTION,
    )


@asynccontextmanager
async def mcp_session(repo: Path, *options: str) -> AsyncIterator[ClientSession]:
    """A session with `rubric mcp --repo REPO OPTIONS...` started as a subprocess."""
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "rubric_lsp.cli", "mcp", "--repo", str(repo), *options],
        cwd=str(repo),
    )
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def text_of(result: Any) -> str:
    """The text a tool call answered with; an error result fails the test with its message."""
    assert not result.is_error, result.content
    return "".join(block.text for block in result.content if block.type == "text")


def rubric_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `rubric` command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        check=False,
    )


def without_timing(data: Any) -> Any:
    """A JSON report without the fields that measure time, which differ between two runs."""
    if isinstance(data, dict):
        return {k: without_timing(v) for k, v in data.items() if k not in ("seconds",)}
    if isinstance(data, list):
        return [without_timing(v) for v in data]
    return data


def cli_report(repo: Path, *args: str) -> dict[str, Any]:
    """`rubric score --format json` of the repository."""
    done = rubric_cli("score", "--repo", str(repo), "--format", "json", *args)
    # 2 is also an undecided verdict (an untrusted run leaves rules over skipped tests open).
    assert done.returncode in (0, 1, 2) and done.stdout, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode != 2 or report["verdict"] == "undecided"
    return report


def settle(repo: Path) -> None:
    """Refresh the index's file stat data, stale in a copied repository, as any git status would.

    Otherwise the first git command of the run rewrites the index and the digest changes
    for a reason that is not scoring's.
    """
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=repo, check=False)
