"""Asynchronous subprocesses that die with the task that started them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


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
) -> Completed:
    """Run a command to completion; on cancellation or timeout its process group is killed."""
    started = time.perf_counter()
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=str(cwd),
            env=dict(env) if env is not None else quiet_env(),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # Its own session, so one killpg ends the command and everything it started.
            start_new_session=True,
        )
    except FileNotFoundError:
        raise ScoringError(f"command not found: {argv[0]}") from None
    except PermissionError:
        raise ScoringError(f"command not executable: {argv[0]}") from None
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
    except BaseException:
        await _terminate(process)
        raise
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
