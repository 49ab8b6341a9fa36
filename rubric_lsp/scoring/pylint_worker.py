"""A long-lived pylint process that keeps installed libraries' analysis warm between runs.

The language server scores on every save; a fresh pylint re-analyses the standard library
and every dependency each time. This worker runs pylint in-process, one request at a time,
and before each request drops from astroid's caches every project module whose file changed
(installed libraries stay), plus astroid's inference caches, so a warm result equals a cold
one. ``PylintWorker`` is a ``PylintRunner`` for ``ScoreOptions``.

Protocol (one JSON object per line): request ``{"cwd", "files", "args"}``, answer
``{"output": <json2 text>}`` or ``{"error": <message>}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rubric_lsp.scoring.critics.pylint import SEARCH_PATH_ENV, PylintMessage, parse_json2
from rubric_lsp.scoring.proc import quiet_env
from rubric_lsp.scoring.pysource import real

# Restart after this many runs or this much resident memory: astroid's caches only grow.
MAX_RUNS = 200
MAX_RSS_BYTES = 1_500_000_000


def _library_roots() -> tuple[str, ...]:
    """Folders of the interpreter's standard library and installed packages."""
    paths = sysconfig.get_paths()
    roots = {sys.prefix, sys.base_prefix, paths["stdlib"], paths["purelib"], paths["platlib"]}
    return tuple(os.path.realpath(root) + os.sep for root in roots)


# (mtime_ns, size) of each project module's file when astroid cached it.
_signatures: dict[str, tuple[int, int]] = {}


def _signature(file: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(file)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def evict_project_modules() -> int:
    """Drop cached project modules whose file changed or went away, and the inference caches.

    A module's tree depends only on its own source, so unchanged modules stay; what was
    inferred across modules lives in the inference caches, which are cleared every time.
    """
    from astroid import MANAGER
    from astroid.context import _invalidate_cache
    from astroid.inference_tip import clear_inference_tip_cache
    from astroid.nodes._base_nodes import LookupMixIn
    from astroid.nodes.scoped_nodes import ClassDef

    roots = _library_roots()
    dropped = 0
    for name, module in list(MANAGER.astroid_cache.items()):
        file = getattr(module, "file", None)
        if not file or os.path.realpath(file).startswith(roots):
            continue
        now = _signature(file)
        if now is None or _signatures.get(file) != now:
            del MANAGER.astroid_cache[name]
            _signatures.pop(file, None)
            dropped += 1
    MANAGER._mod_file_cache.clear()
    clear_inference_tip_cache()
    _invalidate_cache()
    for cached in (LookupMixIn.lookup, ClassDef._metaclass_lookup_attribute):
        cached.cache_clear()  # type: ignore[attr-defined]
    return dropped


def lint(cwd: str, files: list[str], args: list[str]) -> str:
    """One in-process pylint run; its json2 output."""
    from pylint.lint import Run
    from pylint.reporters.json_reporter import JSON2Reporter

    evict_project_modules()
    stream = io.StringIO()
    os.chdir(cwd)
    # In-process means one process: --jobs would fork cold workers.
    # The reporter is passed in: an --output-format would replace it and print to stdout.
    kept = [arg for arg in args if not arg.startswith("--output-format")]
    argv = [*kept, "--persistent=n", "--jobs=1", *files]
    started = time.time_ns()
    with contextlib.redirect_stdout(sys.stderr):
        Run(argv, reporter=JSON2Reporter(stream), exit=False)
    remember_project_modules(started)
    return stream.getvalue()


def remember_project_modules(started: int) -> None:
    """Record the file signature of every project module astroid has cached.

    A file written after the run started may have been read before or after the write,
    so it is not recorded: the next run parses it again.
    """
    from astroid import MANAGER

    roots = _library_roots()
    for module in MANAGER.astroid_cache.values():
        file = getattr(module, "file", None)
        if file and file not in _signatures and not os.path.realpath(file).startswith(roots):
            signature = _signature(file)
            if signature is not None and signature[0] < started:
                _signatures[file] = signature


def serve() -> None:
    """Answer requests from stdin until it closes."""
    # The workspace's import folders, after rubric's own (see critics.pylint.run_pylint).
    sys.path.extend(json.loads(os.environ.pop(SEARCH_PATH_ENV, "[]")))
    out = sys.stdout
    for line in sys.stdin:
        try:
            request = json.loads(line)
            answer: dict[str, Any] = {
                "output": lint(request["cwd"], request["files"], request["args"])
            }
        except Exception as error:  # reported to the caller, who falls back to a fresh run
            answer = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def _rss(pid: int) -> int:
    """Resident memory of a process in bytes (0 where /proc is not available)."""
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class PylintWorker:
    """A warm pylint in a child process, restarted when it dies or grows too large."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self.runs = 0
        self.restarts = 0
        # The import folders the running process was started with (one workspace's).
        self.search: tuple[str, ...] = ()

    async def _start(self, search: tuple[str, ...]) -> asyncio.subprocess.Process:
        if self._process is not None and self._process.returncode is None:
            worn_out = self.runs >= MAX_RUNS or _rss(self._process.pid) > MAX_RSS_BYTES
            # Another workspace's folders: astroid's caches hold modules found on the old path.
            if not worn_out and search == self.search:
                return self._process
            await self.close()
            self.restarts += 1
        self.search = search
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "rubric_lsp.scoring.pylint_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=quiet_env({SEARCH_PATH_ENV: json.dumps(list(search))}),
            # Big json2 answers are one line each.
            limit=64 * 1024 * 1024,
        )
        self.runs = 0
        return self._process

    async def __call__(
        self,
        cwd: Path,
        files: list[Path],
        extra: list[str],
        jobs: int | None = None,
        search: Sequence[str] = (),
    ) -> dict[str, list[PylintMessage]]:
        """Lint like ``run_pylint`` does, in the warm process (restarted for another path)."""
        if not files:
            return {}
        request = {
            "cwd": str(cwd),
            "files": [str(f) for f in files],
            "args": ["--score=n", "--reports=n", *extra],
        }
        async with self._lock:
            process = await self._start(tuple(search))
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write((json.dumps(request) + "\n").encode())
                await process.stdin.drain()
                line = await process.stdout.readline()
            except BaseException:
                # Cancelled or broken mid-request: the answer would be read by the next caller.
                await self.close()
                raise
            if not line:
                await self.close()
                raise RuntimeError("the pylint worker died")
            self.runs += 1
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"pylint failed: {answer['error']}")
        by_path: dict[str, list[PylintMessage]] = {}
        for message in parse_json2(answer["output"]):
            by_path.setdefault(real(message.absolute_path), []).append(message)
        return by_path

    async def close(self) -> None:
        """End the worker process."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 2.0)
        except TimeoutError:
            process.kill()
            await process.wait()


if __name__ == "__main__":
    serve()
