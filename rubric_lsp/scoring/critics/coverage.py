"""Share of changed executable lines that the (one) test run executes, via coverage.py.

Counted are the changed statements outside test files that only a call runs (function
bodies) and every changed statement that did not run. A statement that runs when its
module is imported (an import, a constant, a ``def`` line) says nothing about the tests
when it ran, and counting it would let a change raise its share by adding such lines.

Each missed line costs 1 / max(counted, FULL_SHARE_LINES) of the score: the share once
the change counts that many lines, a fixed cost per line below it. Without the floor one
untested line of a small change cost the whole criterion, more than any other check's
finding costs (pylint's first finding costs 1/11), and a real patch that also edits
untested code lost more on `tests` than on the defect it planted.
"""

from __future__ import annotations

import ast
import asyncio
from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.critics.tests import DEFAULT_COMMAND, DEFAULT_TIMEOUT, run_suite
from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import is_test_file, parse, real

# Below this many counted lines each missed line costs 1/FULL_SHARE_LINES, so adding
# covered lines to a small change gains nothing; from here on the score is the share.
FULL_SHARE_LINES = 10

# coverage.py's default exclusion pattern.
_NO_COVER = r"#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)"


def executable_lines(text: str, lines: frozenset[int]) -> set[int]:
    """The statements (by first line) that the given lines belong to, as coverage counts them."""
    from coverage.exceptions import NotPython
    from coverage.parser import PythonParser

    if not text.strip():
        return set()  # an empty file (a new __init__.py): coverage's parser refuses ""
    parser = PythonParser(text=text, exclude=_NO_COVER)
    try:
        parser.parse_source()
    except NotPython:
        return set()
    statements = parser.statements - parser.excluded
    return {parser.first_line(line) for line in lines} & statements


def call_time_lines(text: str) -> set[int]:
    """Lines inside function bodies: what runs only when the function is called."""
    tree = parse(text)
    if tree is None:
        return set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
            lines.update(range(node.body[0].lineno, node.end_lineno + 1))
    return lines


def executed_lines(data_file: Path, path: str) -> set[int]:
    """Lines of ``path`` that ran, from a coverage data file."""
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    return set(data.lines(real(path)) or ())


@dataclass(frozen=True)
class Measured:
    """The counted changed statements, the missed ones per file, and what was left out."""

    counted: int
    missed: list[tuple[str, list[int]]]
    import_time: int = 0
    in_tests: int = 0

    @property
    def lost(self) -> int:
        """How many counted statements did not run."""
        return sum(len(lines) for _, lines in self.missed)


@dataclass(frozen=True)
class Wanted:
    """A changed file's changed executable statements, and its lines inside function bodies."""

    statements: set[int]
    call_time: set[int]


def wanted_lines(work_dir: Path, files: list[ChangedFile]) -> dict[str, Wanted]:
    """The changed executable statements of each changed file, test files included."""
    wanted: dict[str, Wanted] = {}
    for changed in files:
        text = (work_dir / changed.path).read_text(encoding="utf-8", errors="replace")
        lines = executable_lines(text, changed.added)
        if lines:
            wanted[changed.path] = Wanted(lines, call_time_lines(text))
    return wanted


def measure(data_file: Path, work_dir: Path, wanted: dict[str, Wanted]) -> Measured:
    """The changed statements that count, the missed ones per file, and those left out.

    Test files are left out (the suite runs them: they would cover themselves), and so
    are statements outside function bodies that ran: importing the module ran them.
    The data file is read only for files outside the tests.
    """
    counted = import_time = in_tests = 0
    missed: list[tuple[str, list[int]]] = []
    for path, found in wanted.items():
        lines = found.statements
        if is_test_file(path):
            in_tests += len(lines)
            continue
        lost = lines - executed_lines(data_file, str(work_dir / path))
        kept = (lines & found.call_time) | lost
        counted += len(kept)
        import_time += len(lines) - len(kept)
        if lost:
            missed.append((path, sorted(lost)))
    return Measured(counted, missed, import_time, in_tests)


def _ranges(lines: list[int], limit: int = 8) -> str:
    """1,2,3,7 as 1-3, 7 (the first few ranges)."""
    parts: list[str] = []
    start = previous = lines[0]
    for line in [*lines[1:], None]:
        if line is not None and line == previous + 1:
            previous = line
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if line is not None:
            start = previous = line
    if len(parts) > limit:
        return ", ".join(parts[:limit]) + f" and {len(parts) - limit} more range(s)"
    return ", ".join(parts)


class CoverageCritic(DeclaredCritic, check="coverage"):
    """Changed executable lines that the test run executes."""

    default_timeout = DEFAULT_TIMEOUT + 30.0
    codes = ("not-covered",)

    async def run(self, context: Context) -> CriticResult:
        """Share the test run with the tests critic and read its coverage data."""
        files = context.changes.python_files
        if not files:
            return CriticResult(
                1.0,
                summary="no changed executable lines",
                reasons=(
                    "No changed Python file, so no changed executable line: nothing to cover.",
                ),
            )
        run = await context.shared("tests", lambda: run_suite(context))
        command = context.setting("tests").command or DEFAULT_COMMAND
        if run.problem:
            return CriticResult.error(run.problem)
        if run.coverage_file is None:
            return CriticResult.skipped(
                f"coverage cannot wrap the test command `{command}`; use a python or pytest command"
            )
        work_dir = context.changes.work_dir
        wanted = await asyncio.to_thread(wanted_lines, work_dir, files)
        needs_data = any(not is_test_file(path) for path in wanted)
        if needs_data and not run.coverage_file.exists():
            if run.borrowed_coverage:
                return CriticResult.error(
                    f"coverage.py is not installed in {context.python.executable} and rubric's "
                    "own could not run there: `pip install coverage` in that environment"
                )
            return CriticResult.error(
                f"the test run left no coverage data (exit {run.returncode}): {run.last_line}"
            )
        measured = await asyncio.to_thread(measure, run.coverage_file, work_dir, wanted)
        total, missed = measured.counted, measured.missed
        left_out = _left_out(measured)
        if total == 0:
            return CriticResult(
                1.0,
                summary="no changed executable lines",
                reasons=(
                    "The change adds no executable line that a test could run (only comments, "
                    "docstrings, blanks, tests, or lines that ran on import)."
                    + (f" Left out: {left_out}." if left_out else ""),
                ),
                evidence=_evidence(measured),
            )
        lost = measured.lost
        scale = max(total, FULL_SHARE_LINES)
        score = (scale - lost) / scale
        reasons = [
            f"The test run (`{command}`) measured with coverage.py.",
            f"{total - lost} of {total} changed executable line(s) ran.",
        ]
        if lost and total < FULL_SHARE_LINES:
            reasons.append(
                f"Fewer than {FULL_SHARE_LINES} lines counted, so each line not run costs "
                f"1/{FULL_SHARE_LINES} of the score rather than 1/{total}."
            )
        if left_out:
            reasons.append(f"Not counted: {left_out}.")
        reasons += [f"Not run: {path} lines {_ranges(lines)}" for path, lines in missed[:5]]
        findings = tuple(
            Finding(
                path,
                line,
                0,
                "not-covered",
                "changed line not run by the tests",
                "info",
                penalty=1.0 / scale,
            )
            for path, lines in missed
            for line in lines
        )
        return CriticResult(
            score,
            summary=f"{total - lost}/{total} changed executable lines covered",
            reasons=tuple(reasons),
            findings=findings,
            evidence=_evidence(measured),
        )


def _left_out(measured: Measured) -> str:
    """What the share leaves out, in words; empty when nothing."""
    parts = []
    if measured.import_time:
        parts.append(
            f"{measured.import_time} line(s) that ran on import (imports, defs, constants)"
        )
    if measured.in_tests:
        parts.append(f"{measured.in_tests} line(s) of test files")
    return " and ".join(parts)


def _evidence(measured: Measured) -> dict[str, int]:
    """The raw counts behind the share."""
    return {
        "changed_executable": measured.counted,
        "missed": measured.lost,
        "ran_on_import": measured.import_time,
        "in_test_files": measured.in_tests,
    }
