"""The ``rubric-lsp`` entry point: the server's features, and what tunes the whole process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from types import FrameType

from rubric_lsp import __version__
from rubric_lsp.lsp.feature import Feature, FeatureSet
from rubric_lsp.lsp.features.actions import ActionsFeature
from rubric_lsp.lsp.features.completion import CompletionFeature
from rubric_lsp.lsp.features.configuration import ConfigurationFeature
from rubric_lsp.lsp.features.diagnostics import DiagnosticsFeature
from rubric_lsp.lsp.features.formatting import FormattingFeature
from rubric_lsp.lsp.features.hover import HoverFeature
from rubric_lsp.lsp.features.navigation import NavigationFeature
from rubric_lsp.lsp.features.review import ReviewFeature
from rubric_lsp.lsp.features.scoring import ScoringFeature
from rubric_lsp.lsp.features.symbols import SymbolsFeature
from rubric_lsp.lsp.features.tokens import TokensFeature
from rubric_lsp.lsp.protocol import PipeWriter
from rubric_lsp.lsp.setup import create_server

# In this order every event reaches them: settings are read before anything uses them.
FEATURES: tuple[type[Feature], ...] = (
    ConfigurationFeature,
    DiagnosticsFeature,
    CompletionFeature,
    HoverFeature,
    NavigationFeature,
    SymbolsFeature,
    FormattingFeature,
    ReviewFeature,
    ActionsFeature,
    TokensFeature,
    ScoringFeature,
)

SWITCH_INTERVAL = 0.0005
# After this many parses, frozen objects go back to the collector once, so that any
# cyclic garbage frozen along with the models is eventually reclaimed.
UNFREEZE_EVERY = 100


class FreezeParsedModels:
    """Move each freshly parsed model out of reach of the cycle collector's young generations."""

    # The parser builds many small acyclic objects with the collector paused; the next
    # young collection would scan them all (about 100 ms for 10,000 lines) on whichever
    # thread allocates next, often a request on the event loop. Frozen objects are still
    # freed by reference counting when a version is dropped.

    def __init__(self, unfreeze_every: int = UNFREEZE_EVERY) -> None:
        self.unfreeze_every = unfreeze_every
        self.parses = 0

    def __call__(self) -> None:
        self.parses += 1
        if self.parses % self.unfreeze_every == 0:
            gc.unfreeze()
        else:
            gc.freeze()


class EndOnTermination:
    """On SIGTERM or SIGHUP, let every feature shut down, then exit as the signal asks."""

    # Editors end servers with SIGTERM (SIGHUP when a terminal closes). Without this the
    # process would die mid-run, leaving a temporary checkout registered with git and
    # the critics' processes (in sessions of their own) running.

    def __init__(self, features: FeatureSet) -> None:
        self.features = features
        # Kept referenced: a task nobody holds may be collected before it runs.
        self.ending: list[asyncio.Task[None]] = []

    def install(self) -> None:
        """Handle the signals that end the server."""
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None:
                signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not serving yet: nothing runs that needs ending
            os._exit(128 + signum)
        loop.call_soon_threadsafe(self._start_ending, loop, signum)

    def _start_ending(self, loop: asyncio.AbstractEventLoop, signum: int) -> None:
        self.ending.append(loop.create_task(self._end(signum)))

    async def _end(self, signum: int) -> None:
        await self.features.notify_async("shutdown")
        writer = self.features.server.protocol.writer
        if isinstance(writer, PipeWriter):
            await writer.close(timeout=1.0)  # what is buffered, and the pipe blocking again
        with contextlib.suppress(OSError, ValueError):  # stdout closed with the pipe writer
            sys.stdout.flush()
        # The thread that reads stdin would keep the process alive: leave at once.
        os._exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the server on stdio, or on TCP for debugging."""
    parser = argparse.ArgumentParser(
        prog="rubric-lsp", description="Language server for .rubric files (stdio by default)."
    )
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    # Clients such as vscode-languageclient append --stdio; it is the default anyway.
    parser.add_argument("--stdio", action="store_true", help="talk over stdio (the default)")
    parser.add_argument("--host", default="127.0.0.1", help="TCP address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2087, help="TCP port (default 2087)")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level of messages written to stderr (default WARNING)",
    )
    parser.add_argument("--version", action="version", version=f"rubric-lsp {__version__}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    # The checker thread holds the GIL while it parses; shorter slices let a request
    # on the event loop run between them instead of waiting 5 ms per slice.
    sys.setswitchinterval(SWITCH_INTERVAL)
    features = create_server(FEATURES, after_parse=FreezeParsedModels())
    EndOnTermination(features).install()
    if args.tcp:
        features.server.start_tcp(args.host, args.port)
    else:
        features.server.start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
