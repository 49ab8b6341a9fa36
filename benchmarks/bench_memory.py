"""The memory peak of `rubric score` across all its processes on a 50 MB changed file.

Run: python benchmarks/bench_memory.py [--megabytes 50] [--case rewritten|new|appended]
Prints the peak of the summed resident memory of rubric and every process it started
(sampled every 20 ms from /proc), and the run's seconds.
Target: bounded, far from the 9.5 GB a rewritten 50 MB file once took.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _resident(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def make_repo(folder: Path, megabytes: int, case: str) -> Path:
    """A repository whose change is one large Python file, in the way ``case`` says."""
    repo = folder / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "bench@example.com")
    _git(repo, "config", "user.name", "bench")
    lines = megabytes * 1024 * 1024 // 6
    (repo / "small.py").write_text('"""A module."""\n')
    if case != "new":
        (repo / "huge.py").write_text("x = 1\n" * lines)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    if case == "rewritten":  # every line changed: the largest diff
        (repo / "huge.py").write_text("x = 2\n" * lines)
    elif case == "appended":
        with (repo / "huge.py").open("a") as stream:
            stream.write("y = 2\n")
    else:
        (repo / "huge.py").write_text("x = 1\n" * lines)
    return repo


def measure(repo: Path) -> tuple[int, float, int]:
    """Peak summed resident bytes, seconds and the exit code of one `rubric score`."""
    argv = [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo)]
    argv += ["--skip", "tests", "--skip", "benchmark", "--no-cache", "--format", "json"]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _resident(_tree(process.pid)))
        time.sleep(0.02)
    seconds = time.monotonic() - started
    assert process.stderr is not None
    error = process.stderr.read().decode()
    if process.returncode not in (0, 1):
        raise SystemExit(f"rubric score failed ({process.returncode}): {error}")
    return peak, seconds, process.returncode


def main() -> None:
    """Build the repository, score it once, print the peak."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--case", choices=("rewritten", "new", "appended"), default="rewritten")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        repo = make_repo(Path(folder), args.megabytes, args.case)
        peak, seconds, code = measure(repo)
    print(
        f"{args.megabytes} MB {args.case} file: peak {peak / 2**20:.0f} MB across processes, "
        f"{seconds:.1f} s, exit {code}"
    )


if __name__ == "__main__":
    main()
