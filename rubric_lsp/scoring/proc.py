"""Asynchronous subprocesses that die with the task that started them."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rubric_lsp.scoring.reaper import RUN_MARK, end_marked, owner_mark


class ScoringError(Exception):
    """A usage, configuration or repository problem: one line, exit code 2."""


@dataclass(frozen=True)
class Completed:
    """The outcome of one finished process."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def text(self) -> str:
        """Standard output decoded as UTF-8, undecodable bytes replaced."""
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def error_text(self) -> str:
        """Standard error decoded as UTF-8, undecodable bytes replaced."""
        return self.stderr.decode("utf-8", errors="replace")

    def last_error_line(self) -> str:
        """The last non-empty line of stderr (or stdout), for one-line messages."""
        for stream in (self.error_text, self.text):
            lines = [line.strip() for line in stream.splitlines() if line.strip()]
            if lines:
                return lines[-1]
        return f"exit status {self.returncode}"


def quiet_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for child processes: no bytecode or optional git locks in the tree."""
    env = dict(os.environ)
    # Bytecode caches and git's opportunistic index refresh would write into the user's tree.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    # Hypothesis keeps its example database in ./.hypothesis unless told otherwise.
    env.setdefault(
        "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "rubric-lsp-hypothesis")
    )
    if extra:
        env.update(extra)
    return env


# Bytes of file names one command line may carry: well under Linux's 2 MB for argv and
# environment together, and each name is far under its 128 kB limit for one argument.
ARGV_BUDGET = 256 * 1024
# Bytes one argument may hold (Linux: 128 kB), with room to spare.
ONE_ARGUMENT = 100 * 1024


def chunked(names: Sequence[str], budget: int = ARGV_BUDGET) -> list[list[str]]:
    """File names split into lists that each fit on one command line."""
    chunks: list[list[str]] = [[]]
    size = 0
    for name in names:
        cost = len(os.fsencode(name)) + 1
        if chunks[-1] and size + cost > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(name)
        size += cost
    return [chunk for chunk in chunks if chunk]


# How long a command's output may stay open after it exited (a grandchild holding stdout).
OUTPUT_GRACE = 1.0


PR_SET_PDEATHSIG = 1


def _load_prctl() -> Any:
    """libc's prctl, looked up once in the parent: a child between fork and exec must not import."""
    if sys.platform != "linux":
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when rubric dies, even by SIGKILL."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill_group(process: asyncio.subprocess.Process, sig: int) -> None:
    """Signal the process's whole group: commands such as pytest start children."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


async def run(
    argv: Sequence[str],
    cwd: str | Path,
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
    sweep: bool = True,
) -> Completed:
    """Run a command to completion, then end everything it started (see RUN_MARK).

    ``sweep=False`` skips the search for processes that left the group (git, which starts
    none once safegit has pinned its programs).
    """
    started = time.perf_counter()
    environment = dict(env) if env is not None else quiet_env()
    mark = f"{owner_mark()}:{uuid.uuid4().hex}"
    environment[RUN_MARK] = mark
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=str(cwd),
            env=environment,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # Its own session, so one killpg ends the command and everything it started.
            start_new_session=True,
            preexec_fn=_die_with_parent if _PRCTL is not None else None,
        )
    except FileNotFoundError:
        raise ScoringError(f"command not found: {argv[0]}") from None
    except PermissionError:
        raise ScoringError(f"command not executable: {argv[0]}") from None
    except BaseException:
        # Cancelled (Ctrl-C) while the command was starting: it may run already, with no
        # handle to end it by, so it is found by the mark in its environment.
        end_marked(mark)
        raise
    output = asyncio.ensure_future(process.communicate(stdin))
    try:
        async with asyncio.timeout(timeout):
            # Not process.wait(): asyncio wakes it only once the pipes close, and a grandchild
            # holding stdout keeps them open. The exit status arrives before that.
            while not output.done() and process.returncode is None:
                await asyncio.wait([output], timeout=0.05)
            # Wait briefly for the rest of the output, then end the holder, closing the pipe.
            if not output.done():
                await asyncio.wait([output], timeout=OUTPUT_GRACE)
    except BaseException:
        await _terminate(process)
        output.cancel()
        if sweep:
            end_marked(mark)
        raise
    # The command is over: whatever it started goes too, in its group or not.
    _kill_group(process, signal.SIGKILL)
    if sweep:
        end_marked(mark)
    stdout, stderr = await output
    return Completed(
        tuple(argv), process.returncode or 0, stdout, stderr, time.perf_counter() - started
    )


async def _terminate(process: asyncio.subprocess.Process) -> None:
    """End a process group politely, then firmly; never leave a zombie behind."""
    if process.returncode is not None:
        _kill_group(process, signal.SIGKILL)  # its children may outlive it
        return
    _kill_group(process, signal.SIGTERM)
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.shield(asyncio.wait_for(process.wait(), 2.0))
    _kill_group(process, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(BaseException):
        await asyncio.shield(asyncio.wait_for(process.wait(), 2.0))
