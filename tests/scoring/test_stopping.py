"""A run whose cleanup does not end, or a second signal, is ended by force with what it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from support.processes import running

# A command whose cleanup never ends: it swallows every cancellation. It starts one child
# and one process that left its session (found only by its run mark).
STUCK = """
import asyncio, os, subprocess, sys
from rubric_lsp.commands import stopping
from rubric_lsp.scoring.reaper import RUN_MARK, owner_mark

async def stuck():
    env = dict(os.environ, **{RUN_MARK: owner_mark() + ":test"})
    subprocess.Popen(["sleep", "4323"], env=env)
    subprocess.run(["sh", "-c", "setsid sleep 4324 &"], env=env, check=True)
    print("ready", flush=True)
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass

asyncio.run(stopping.run_until_signalled("score", stuck, grace=float(sys.argv[1])))
"""


def sleeping(seconds: str) -> list[int]:
    """Pids of `sleep SECONDS` processes."""
    return running("sleep", seconds)


def _stuck(grace: float) -> subprocess.Popen[str]:
    """The stuck command, once it has started both of its processes."""
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(grace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    # The shell returns before the process it put in the background has started.
    deadline = time.monotonic() + 10
    while not (sleeping("4323") and sleeping("4324")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process


def _end(process: subprocess.Popen[str], *signals: int) -> tuple[str, float]:
    """Send the signals a little apart; stderr and the seconds until the command ended."""
    try:
        assert sleeping("4323") and sleeping("4324")
        started = time.monotonic()
        for sig in signals:
            process.send_signal(sig)
            time.sleep(0.3)
        _, stderr = process.communicate(timeout=20)
        return stderr, time.monotonic() - started
    finally:
        if process.poll() is None or process.returncode < 0:  # failed: leave nothing running
            process.kill()
            for pid in sleeping("4323") + sleeping("4324"):
                os.kill(pid, signal.SIGKILL)


def _nothing_left() -> bool:
    deadline = time.monotonic() + 5
    while (sleeping("4323") or sleeping("4324")) and time.monotonic() < deadline:
        time.sleep(0.1)
    return sleeping("4323") == [] and sleeping("4324") == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cleanup_that_never_ends_is_ended_after_the_grace(sig: int) -> None:
    process = _stuck(1.0)
    stderr, seconds = _end(process, sig)
    assert seconds < 10
    assert process.returncode == (130 if sig == signal.SIGINT else 143)
    assert "still ending after 1 s: ended 2 process(es)" in stderr
    assert _nothing_left()


def test_a_second_ctrl_c_ends_the_run_at_once() -> None:
    process = _stuck(60.0)
    stderr, seconds = _end(process, signal.SIGINT, signal.SIGINT)
    assert seconds < 10
    assert process.returncode == 130
    assert "SIGINT again: ended 2 process(es)" in stderr
    assert _nothing_left()
