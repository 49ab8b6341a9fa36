"""What a run leaves behind is marked with its owner, so a later run removes exactly that.

A run killed with SIGKILL (a laptop out of battery, an RL harness's timeout) cannot clean up.
Every temporary folder and every worktree registration rubric creates carries a file naming
the owning process (pid, its start time, the boot); a later run removes the ones whose owner
is gone, and never anything without such a file: a user's worktree is never pruned.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

OWNER_FILE = "rubric-owner"
# Prefixes of rubric's temporary folders; only these are ever looked at.
PREFIXES = ("rubric-snapshot-", "rubric-score-")


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def owner_record() -> str:
    """The owner file's content for this process."""
    pid = os.getpid()
    return json.dumps({"pid": pid, "start": _start_time(pid), "boot": _boot_id()})


def owner_mark() -> str:
    """This process as one word, for the RUN_MARK environment variable."""
    pid = os.getpid()
    return f"{pid}.{_start_time(pid)}.{_boot_id()}"


def owner_alive(record: str) -> bool:
    """Whether the process an owner file (or a run mark) names still runs.

    Unreadable records count as alive: what cannot be proven abandoned is kept.
    """
    try:
        if record.startswith("{"):
            owner = json.loads(record)
            pid, start, boot = int(owner["pid"]), str(owner["start"]), str(owner["boot"])
        else:
            fields = record.split(":", 1)[0].split(".")
            pid, start, boot = int(fields[0]), fields[1], fields[2]
    except (ValueError, KeyError, TypeError, IndexError):
        return True
    if boot and boot != _boot_id():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not start or start == _start_time(pid)


# Every process a command starts inherits this variable, also those that leave the process
# group or the session (setsid, daemons): after the command they are found by it and ended.
RUN_MARK = "RUBRIC_RUN_OWNER"


def marked_processes() -> dict[int, str]:
    """The run mark of every process of this user that carries one, by pid (Linux /proc)."""
    key = f"{RUN_MARK}=".encode()
    marks: dict[int, str] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError), open(f"/proc/{entry.name}/environ", "rb") as f:
                data = f.read()
                if key not in data:
                    continue
                for item in data.split(b"\0"):
                    if item.startswith(key):
                        marks[int(entry.name)] = item[len(key) :].decode(errors="replace")
    return marks


def _kill(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def end_marked(mark: str) -> list[int]:
    """SIGKILL every process that carries exactly this run mark."""
    return [pid for pid, found in marked_processes().items() if found == mark and _kill(pid)]


def end_orphans() -> list[int]:
    """SIGKILL the processes of rubric runs whose rubric is gone (it was SIGKILLed)."""
    return [pid for pid, mark in marked_processes().items() if not owner_alive(mark) and _kill(pid)]


def claim(folder: Path) -> None:
    """Mark a folder as this process's."""
    (folder / OWNER_FILE).write_text(owner_record(), encoding="utf-8")


def owned_tempdir(prefix: str) -> Path:
    """A new temporary folder marked as this process's."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    claim(folder)
    return folder


def _abandoned(folder: Path) -> bool:
    """Whether a folder carries an owner file whose owner is gone."""
    try:
        record = (folder / OWNER_FILE).read_text(encoding="utf-8")
    except OSError:
        return False
    return not owner_alive(record)


def _temporary_top(path: Path) -> Path | None:
    """The rubric temporary folder a path lies in, or None when it lies in none."""
    temp = Path(tempfile.gettempdir()).resolve()
    with contextlib.suppress(ValueError):
        parts = path.resolve().relative_to(temp).parts
        if parts and parts[0].startswith(PREFIXES):
            return temp / parts[0]
    return None


def _registered_folder(admin: Path) -> Path | None:
    """The worktree folder an admin folder under .git/worktrees/ points at."""
    try:
        return Path((admin / "gitdir").read_text(encoding="utf-8").strip()).parent
    except OSError:
        return None


def reap(git_dir: Path | None) -> list[Path]:
    """Remove the leftovers of rubric's runs whose process is gone; return what was removed."""
    end_orphans()
    removed: list[Path] = []
    if git_dir is not None:
        for admin in sorted((git_dir / "worktrees").glob("*")):
            folder = _registered_folder(admin)
            top = _temporary_top(folder) if folder is not None else None
            if top is None:  # not a checkout of rubric's: never touched
                continue
            # The admin folder's own mark, or that of the temporary folder it was made in
            # (written before `git worktree add`, so a kill in between is covered too).
            if _abandoned(admin) or _abandoned(top) or not top.exists():
                shutil.rmtree(admin, ignore_errors=True)
                removed.append(admin)
    for folder in sorted(Path(tempfile.gettempdir()).glob("rubric-*")):
        if folder.name.startswith(PREFIXES) and folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
