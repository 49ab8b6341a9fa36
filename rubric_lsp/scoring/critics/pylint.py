"""pylint on the changed Python files; pylint's own evaluation formula restricted to the diff."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

from rubric_lsp.scoring import interpreter, proc
from rubric_lsp.scoring.critic import (
    Context,
    CriticResult,
    DeclaredCritic,
    Finding,
    FindingSeverity,
)
from rubric_lsp.scoring.diff import ChangedFile, ChangeSet
from rubric_lsp.scoring.pysource import (
    ast_work,
    cache_lookup,
    caused_by_change,
    changed_statements,
    complete,
    materialize_base,
    needs_base,
    parse,
    real,
)

# Messages of pylint's naming checks; the naming critic counts only these.
NAMING_SYMBOLS = frozenset(
    {
        "invalid-name",
        "disallowed-name",
        "non-ascii-name",
        "non-ascii-module-import",
        "non-ascii-file-name",
        "typevar-name-incorrect-variance",
        "typevar-double-variance",
        "typevar-name-mismatch",
    }
)

# pylint's exit status is a bit field: 1 fatal, 2 error, 4 warning, 8 refactor, 16 convention
# messages were issued (all normal: the JSON says which), 32 means a usage error.
PYLINT_USAGE_ERROR = 32

_SEVERITY: dict[str, FindingSeverity] = {
    "fatal": "error",
    "error": "error",
    "warning": "warning",
    "refactor": "info",
    "convention": "info",
    "info": "info",
}

# Weights of pylint's own evaluation (5 per error, 1 per warning, refactor or convention).
_WEIGHT = {"fatal": 5.0, "error": 5.0, "warning": 1.0, "refactor": 1.0, "convention": 1.0}

# Files in which pylint's configuration can live, at the top of the tree.
CONFIG_FILES = ("pylintrc", ".pylintrc", "pyproject.toml", "setup.cfg", "tox.ini")


@dataclass(frozen=True)
class PylintMessage:
    """One message of pylint's json2 output."""

    type: str
    symbol: str
    message_id: str
    message: str
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    absolute_path: str

    def finding(self, path: str) -> Finding:
        """This message as a finding on ``path`` (its share of the score set later)."""
        return Finding(
            path=path,
            line=max(self.line, 1),
            column=self.column,
            code=self.message_id,
            message=self.message,
            severity=_SEVERITY.get(self.type, "info"),
            penalty=_WEIGHT.get(self.type, 0.0),
            end_line=self.end_line,
            end_column=self.end_column,
            symbol=self.symbol,
        )


def parse_json2(text: str) -> list[PylintMessage]:
    """Messages of ``pylint --output-format=json2``.

    A sample of that output::

        {"messages": [{"type": "warning", "symbol": "unused-variable",
          "message": "Unused variable 'unused'", "messageId": "W0612", "confidence": "UNDEFINED",
          "module": "m", "obj": "f", "line": 4, "column": 4, "endLine": 4, "endColumn": 10,
          "path": "m.py", "absolutePath": "/tmp/pl/m.py"}],
         "statistics": {"messageTypeCount": {"warning": 1}, "modulesLinted": 1, "score": 5.0}}
    """
    data = json.loads(text)
    messages: list[dict[str, Any]] = data["messages"] if isinstance(data, dict) else data
    return [
        PylintMessage(
            type=str(item["type"]),
            symbol=str(item["symbol"]),
            message_id=str(item["messageId"]),
            message=str(item["message"]),
            line=int(item.get("line") or 1),
            column=int(item.get("column") or 0),
            end_line=item.get("endLine"),
            end_column=item.get("endColumn"),
            absolute_path=str(item.get("absolutePath") or item.get("path") or ""),
        )
        for item in messages
    ]


# The weighted findings that halve a score. Findings are counted, not divided by the changed
# statements: a share per statement falls when a change adds clean lines (padding dilutes it),
# and it reaches 0 once findings outnumber statements, where one more finding costs nothing.
HALVING_FINDINGS = 10.0


def count_score(weighted: float) -> float:
    """10 / (10 + weighted findings): 1.0 without any, lower with each, never 0."""
    return HALVING_FINDINGS / (HALVING_FINDINGS + max(0.0, weighted))


def pylint_score(findings: list[Finding]) -> float:
    """10 / (10 + 5*errors + warnings + refactors + conventions)."""
    return count_score(sum(finding.penalty for finding in findings))


def config_fingerprint(root: Path) -> list[tuple[str, str]]:
    """The configuration files pylint would read, by content, for cache keys."""
    found: list[tuple[str, str]] = []
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            found.append((name, path.read_text(encoding="utf-8", errors="replace")))
    return found


def _version() -> str:
    try:
        return metadata.version("pylint")
    except metadata.PackageNotFoundError:
        return "unknown"


def _jobs(files: int) -> int:
    """Both cores for several files; a process pool only costs time for one."""
    return max(1, min(files, os.cpu_count() or 1, 2))


PylintRunner = Callable[..., Awaitable[dict[str, list["PylintMessage"]]]]

# The environment variable that hands pylint the project's import folders (a JSON list).
SEARCH_PATH_ENV = "RUBRIC_SEARCH_PATH"
# pylint with the project's folders after rubric's own: its packages resolve, and none of
# them (an astroid of the project's) can replace the tools rubric runs.
_WITH_SEARCH_PATH = (
    "import json, os, sys; "
    f"sys.path.extend(json.loads(os.environ.pop({SEARCH_PATH_ENV!r}, '[]'))); "
    "from pylint import run_pylint; run_pylint()"
)


async def run_pylint(
    cwd: Path,
    files: list[Path],
    extra: list[str],
    jobs: int | None = None,
    search: Sequence[str] = (),
) -> dict[str, list[PylintMessage]]:
    """One pylint process over all files; messages keyed by each file's real path.

    ``search``: folders where astroid also finds imports (the project's environment).
    """
    if not files:
        return {}
    names = [str(path) for path in files]
    if len(proc.chunked(names)) > 1:  # thousands of files: one process per command line
        merged: dict[str, list[PylintMessage]] = {}
        for chunk in proc.chunked(names):
            merged.update(
                await run_pylint(cwd, [Path(name) for name in chunk], extra, jobs, search)
            )
        return merged
    env = None
    start = ["-m", "pylint"]
    if search:
        env = proc.quiet_env({SEARCH_PATH_ENV: json.dumps(list(search))})
        start = ["-c", _WITH_SEARCH_PATH]
    argv = [
        sys.executable,
        # -P: a package in the linted tree named like a tool (pylint, astroid) must not
        # shadow the installed one.
        "-P",
        *start,
        "--output-format=json2",
        "--persistent=n",
        "--score=n",
        "--reports=n",
        f"--jobs={jobs or _jobs(len(files))}",
        *extra,
        *(str(path) for path in files),
    ]
    done = await proc.run(argv, cwd, env=env)
    if done.returncode & PYLINT_USAGE_ERROR or not done.stdout.strip():
        raise RuntimeError(f"pylint failed: {done.last_error_line()}")
    by_path: dict[str, list[PylintMessage]] = {}
    for message in parse_json2(done.text):
        by_path.setdefault(real(message.absolute_path), []).append(message)
    return by_path


async def import_folders(context: Context) -> tuple[str, ...]:
    """Where pylint finds the project's imports: asked of its interpreter only when trusted."""
    python = context.python
    work_dir = context.changes.work_dir
    if python.own:
        return tuple(interpreter.source_roots(work_dir, own=True))
    asked = None
    if context.trusted:
        asked = await context.shared("python", lambda: interpreter.probe(python, work_dir))
    return interpreter.search_path(python, work_dir, asked)


@dataclass(frozen=True)
class PylintReport:
    """The findings the change caused, per changed Python file, and statement counts."""

    findings: dict[str, list[Finding]]
    statements: int
    files: int
    base_compared: int


async def analyse(context: Context, extra: list[str], kind: str) -> PylintReport:
    """pylint on the new and base versions at once; keep the findings the change caused.

    When base versions are not cached yet they are linted alongside the new ones (two
    processes, one core each): nearly every real file has findings on unchanged lines that
    only the base can explain, and linting the base afterwards would double the wall-clock
    time. Base results are cached by content, so a base is linted once.
    """
    changes = context.changes
    python = changes.python_files
    config: list[Any] = [_version(), extra]
    lint_args = list(extra)
    if context.trusted:
        config.append(config_fingerprint(changes.work_dir))
    else:
        # The project's pylintrc can run code (init-hook, load-plugins, C extensions):
        # an untrusted run lints with pylint's defaults instead.
        defaults = context.scratch / "untrusted-pylintrc"
        defaults.write_text("[MAIN]\n", encoding="utf-8")
        lint_args.append(f"--rcfile={defaults}")
        config.append("untrusted: pylint defaults")
    search = await import_folders(context)
    # Inside the tree by relative path, so a --patch run's temporary checkout still hits the cache.
    inside = str(changes.work_dir) + os.sep
    config.append([p[len(inside) :] if p.startswith(inside) else p for p in search])
    modified = [f for f in python if not f.wholly_added and f.old_path is not None]
    new_lookup = await asyncio.to_thread(
        cache_lookup, context, kind, {f.path: changes.work_dir / f.path for f in python}, config
    )
    written = await materialize_base(context, modified) if modified else {}
    base_lookup = await asyncio.to_thread(cache_lookup, context, kind + "-base", written, config)
    jobs = 1 if new_lookup.missing and base_lookup.missing else None

    async def runner(paths: list[Path]) -> dict[str, list[Finding]]:
        # A long-lived caller (the language server) may bring a warm pylint of its own.
        lint = context.pylint_runner or run_pylint
        # Only when there is a path: a runner of an older shape takes four arguments.
        more = {"search": search} if search else {}
        messages = await lint(changes.work_dir, paths, lint_args, jobs, **more)
        return {path: [m.finding(path) for m in found] for path, found in messages.items()}

    base_task = asyncio.ensure_future(complete(context, base_lookup, runner))
    try:
        new = await complete(context, new_lookup, runner)
        if any(needs_base(f, new.get(f.path, []), rewritten=True) for f in modified):
            try:
                base = await base_task
            except RuntimeError:
                # Without a base, findings on unchanged lines get the benefit of the doubt.
                base = {}
        else:  # nothing to explain: stop linting the base and free its core
            base_task.cancel()
            base = {}
    finally:
        if not base_task.done():
            base_task.cancel()
        await asyncio.gather(base_task, return_exceptions=True)
    # Parsing every changed file is CPU work: off the event loop.
    return await ast_work(_report, changes, python, new, base)


def _report(
    changes: ChangeSet,
    python: list[ChangedFile],
    new: dict[str, list[Finding]],
    base: dict[str, list[Finding]],
) -> PylintReport:
    """Keep the findings the change caused; count the changed statements."""
    kept: dict[str, list[Finding]] = {}
    statements = 0
    compared = 0
    for changed in python:
        text = changes.read(changed.path)
        statements += changed_statements(parse(text), text, changed.added)
        found = new.get(changed.path, [])
        compared += needs_base(changed, found, rewritten=True)
        # A pylint finding a rewritten line already had is not the change's; bandit keeps
        # its own: a rewritten line with an old security problem may now reach it.
        kept[changed.path] = caused_by_change(
            changed, found, base.get(changed.path), rewritten=True
        )
    return PylintReport(kept, statements, len(python), compared)


async def shared_run(context: Context) -> PylintReport:
    """The one full pylint run over the change, shared by the pylint and naming critics."""
    return await context.shared("pylint", lambda: analyse(context, [], "pylint"))


def describe(findings: list[Finding], limit: int = 5) -> list[str]:
    """Finding sentences for steps, the first few of them."""
    lines = [f"{f.path}:{f.line}: {f.label}: {f.message}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return lines


class PylintCritic(DeclaredCritic, check="pylint"):
    """pylint findings caused by the change, counted and weighed by severity."""

    default_timeout = 300.0
    codes = ("[CEFIRW][0-9][0-9][0-9][0-9]",)

    async def run(self, context: Context) -> CriticResult:
        """Run pylint once over every changed Python file."""
        if not context.changes.python_files:
            return CriticResult(
                1.0,
                summary="no changed Python files",
                reasons=("No changed Python files to lint.",),
            )
        report = await shared_run(context)
        findings = [f for found in report.findings.values() for f in found if f.penalty > 0]
        findings, ceded, ceded_clause = context.leave_to_owners(self.name, findings)
        score = pylint_score(findings)
        weighted = sum(f.penalty for f in findings)
        # Each finding's share of what the score lost: the shares add up to 1 - score.
        shares = [replace(f, penalty=f.penalty / (HALVING_FINDINGS + weighted)) for f in findings]
        reasons = [
            f"Ran pylint once on {report.files} changed Python file(s): "
            f"{report.statements} changed statement(s).",
        ]
        if report.base_compared:
            reasons.append(
                f"Compared with the base version of {report.base_compared} file(s) "
                "to tell findings the change caused from ones it inherited."
            )
        if findings:
            reasons.append(
                f"{len(findings)} finding(s) caused by the change, weighing {weighted:g} "
                f"(5 per error, 1 per other message): score {HALVING_FINDINGS:g} / "
                f"({HALVING_FINDINGS:g} + {weighted:g}):"
            )
            reasons.extend(describe(findings))
            summary = (
                f"{len(findings)} pylint finding(s) in {report.statements} changed statement(s)"
            )
        else:
            reasons.append("No pylint finding on the changed lines or caused by the change.")
            summary = "no pylint finding caused by the change"
        reasons.extend(ceded)
        summary += ceded_clause
        return CriticResult(score, summary=summary, reasons=tuple(reasons), findings=tuple(shares))
