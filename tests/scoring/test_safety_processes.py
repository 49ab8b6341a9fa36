"""No process a run started outlives it: grandchildren that ignore SIGTERM or leave the group."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.gitrepo import init_repo, write

from rubric_lsp.scoring.api import score

# The test command: starts a grandchild that ignores SIGTERM, records pids, then exits
# (or, with "stay", sleeps itself).
SPAWN = """\
import os, subprocess, sys, time
variant, pids = sys.argv[1], sys.argv[2]
child = [sys.executable, "-c",
         "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"]
options = {
    "group": {},
    "session-stdout": {"start_new_session": True},
    "session-quiet": {"start_new_session": True, "stdout": subprocess.DEVNULL,
                      "stderr": subprocess.DEVNULL},
    "stay": {"start_new_session": True, "stdout": subprocess.DEVNULL},
}[variant]
grandchild = subprocess.Popen(child, **options)
with open(pids, "a") as stream:
    stream.write(f"{grandchild.pid} {os.getpid()} ")
print("spawned", flush=True)
if variant == "stay":
    time.sleep(120)
"""

RUBRIC = """\
reward_rubric {
  criterion correctness weight=1
}
checks {
  tests command="python spawn.py {variant} {pids}" timeout=60
}
"""


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def spawning_repo(tmp_path: Path, variant: str) -> tuple[Path, Path]:
    pids = tmp_path / f"{variant}.pids"
    repo = init_repo(
        tmp_path / "repo",
        {
            "spawn.py": SPAWN,
            "r.rubric": RUBRIC.replace("{variant}", variant).replace("{pids}", str(pids)),
        },
    )
    write(repo, "spawn.py", SPAWN + "\n# changed\n")
    return repo, pids


@pytest.mark.parametrize("variant", ["group", "session-stdout", "session-quiet"])
def test_grandchildren_end_with_the_run(tmp_path: Path, variant: str) -> None:
    repo, pids = spawning_repo(tmp_path, variant)
    started = time.monotonic()
    result = score(repo, use_cache=False)
    seconds = time.monotonic() - started
    assert result.criteria["correctness"].status == "scored", result.criteria["correctness"]
    # Holding stdout must not make the run wait for the grandchild (it sleeps 120 s).
    assert seconds < 45
    found = [int(pid) for pid in pids.read_text().split()]
    assert found
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in found) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in found if running(pid)]


@pytest.mark.slow
def test_a_killed_runs_processes_end_then_the_next_run_ends_the_rest(tmp_path: Path) -> None:
    repo, pids = spawning_repo(tmp_path, "stay")
    process = subprocess.Popen(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), "--no-cache"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        assert time.monotonic() < deadline, "the test command never started"
        time.sleep(0.1)
    grandchild, child = (int(pid) for pid in pids.read_text().split())
    process.send_signal(signal.SIGKILL)
    process.wait()
    # The command itself dies with rubric (PR_SET_PDEATHSIG)...
    deadline = time.monotonic() + 5
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(child)
    # ...and what it started in a session of its own is ended by the next run.
    assert running(grandchild)
    done = subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), "--skip", "tests"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    deadline = time.monotonic() + 5
    while running(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(grandchild)


def test_the_sweep_leaves_other_processes_alone() -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        from rubric_lsp.scoring.reaper import end_orphans

        end_orphans()
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


# Runs in its own interpreter: a start that is cancelled once the command is running.
CANCELLED_START = """\
import asyncio, sys
from rubric_lsp.scoring import proc
started = asyncio.create_subprocess_exec
async def started_then_cancelled(*args, **kwargs):
    await started(*args, **kwargs)
    await asyncio.sleep(0.3)  # the command is running now
    raise asyncio.CancelledError
proc.asyncio.create_subprocess_exec = started_then_cancelled
command = [sys.executable, "-c", sys.argv[1]]
try:
    asyncio.run(proc.run(command, "."))
except asyncio.CancelledError:
    # Looked for while this process lives: its command would die with it otherwise.
    import subprocess, time
    time.sleep(0.2)
    alive = subprocess.run(["pgrep", "-f", r"sleep\\(4323\\)"], capture_output=True, text=True)
    import os
    print("cancelled", [pid for pid in alive.stdout.split() if int(pid) != os.getpid()])
"""


def test_a_run_cancelled_while_its_command_starts_leaves_nothing(tmp_path: Path) -> None:
    # Ctrl-C can land between the fork and the moment the run holds the process: the
    # command runs, but the run never gets its handle to end it by.
    marker = tmp_path / "alive"
    code = f"import time, pathlib; pathlib.Path({str(marker)!r}).write_text('x'); time.sleep(4323)"
    done = subprocess.run(
        [sys.executable, "-c", CANCELLED_START, code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert marker.exists(), done.stderr  # the command did start
    assert done.stdout.strip() == "cancelled []", done.stderr
