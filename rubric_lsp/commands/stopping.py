"""Ending a scoring command on SIGINT, SIGTERM or SIGHUP, by force when cleanup does not end.

The first signal cancels the run: every check's processes end and the checkouts are removed.
A second signal, or cleanup still running after ``GRACE_SECONDS``, ends every process the
run started (found by its run mark, and its own children) and exits at once; the
temporary checkouts left then are removed by the next run's reaper, as after a SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from rubric_lsp.scoring.reaper import marked_processes, owner_mark

T = TypeVar("T")

# How long the run may take to end cleanly after the first signal.
GRACE_SECONDS = 30.0

SIGNALS = tuple(
    s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None
)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc; none elsewhere)."""
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                if int(stat.rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def end_everything_started() -> list[int]:
    """SIGKILL every process carrying this process's run mark, and its own children."""
    mine = f"{owner_mark()}:"
    pids = {pid for pid, mark in marked_processes().items() if mark.startswith(mine)}
    pids.update(_children(os.getpid()))
    pids.discard(os.getpid())
    ended = []
    for pid in sorted(pids):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            ended.append(pid)
    return ended


def exit_code(signum: int) -> int:
    """The shell's code for a command ended by this signal: 130 for Ctrl-C, 143 otherwise."""
    return 130 if signum == signal.SIGINT else 143


class Stopper:
    """Signal handlers for one run: cancel it first, end it by force if that does not end."""

    def __init__(self, command: str, task: asyncio.Task[Any], grace: float = GRACE_SECONDS) -> None:
        self.command = command
        self.task = task
        self.loop = task.get_loop()
        self.grace = grace
        self.received: int | None = None
        self.ended = threading.Event()

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """A signal: the first cancels the run, a second ends it now."""
        if self.received is not None:
            self.force(f"{signal.Signals(signum).name} again", signum)
            return
        self.received = signum
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self.loop.call_soon_threadsafe(self.task.cancel)
        threading.Thread(target=self._watch, name="rubric-stopping", daemon=True).start()

    def _watch(self) -> None:
        if not self.ended.wait(self.grace):
            assert self.received is not None
            self.force(f"still ending after {self.grace:g} s", self.received)

    def force(self, why: str, signum: int) -> None:
        """End every process the run started and exit, without the run's own cleanup."""
        ended = end_everything_started()
        message = (
            f"rubric {self.command}: {why}: ended {len(ended)} process(es) it started; "
            "its temporary checkouts go with the next run\n"
        )
        with contextlib.suppress(OSError):
            os.write(2, message.encode())
        os._exit(exit_code(signum))


@contextlib.contextmanager
def stopping(command: str, grace: float = GRACE_SECONDS) -> Iterator[Stopper]:
    """Handle the ending signals while the current task runs (outside the main thread: not)."""
    task = asyncio.current_task()
    assert task is not None
    stopper = Stopper(command, task, grace)
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in SIGNALS:
            previous[signum] = signal.signal(signum, stopper.handle)
    try:
        yield stopper
    finally:
        # After a signal the handlers stay, and so does the watch: asyncio's own shutdown,
        # which follows, waits for every task and thread, and may hang too.
        if stopper.received is None:
            stopper.ended.set()
            for signum, handler in previous.items():
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)


async def run_until_signalled(
    command: str, call: Callable[[], Awaitable[T]], grace: float = GRACE_SECONDS
) -> T:
    """Await ``call()``; a signal cancels it, and Ctrl-C then raises KeyboardInterrupt."""
    with stopping(command, grace) as stopper:
        try:
            return await call()
        except asyncio.CancelledError:
            if stopper.received == signal.SIGINT:
                raise KeyboardInterrupt from None
            raise
