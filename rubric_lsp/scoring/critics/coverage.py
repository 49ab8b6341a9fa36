"""Share of changed executable lines that the (one) test run executes, via coverage.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.critics.tests import DEFAULT_COMMAND, DEFAULT_TIMEOUT, run_suite
from rubric_lsp.scoring.diff import ChangedFile
from rubric_lsp.scoring.pysource import real

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


def executed_lines(data_file: Path, path: str) -> set[int]:
    """Lines of ``path`` that ran, from a coverage data file."""
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    return set(data.lines(real(path)) or ())


def measure(
    data_file: Path, work_dir: Path, files: list[ChangedFile]
) -> tuple[int, list[tuple[str, list[int]]]]:
    """How many changed executable lines there are, and the missed ones per file.

    Lines are counted first: a change with none (an empty ``__init__.py``) needs no data,
    and coverage writes none when nothing it was told to measure ran.
    """
    total = 0
    missed: list[tuple[str, list[int]]] = []
    for changed in files:
        text = (work_dir / changed.path).read_text(encoding="utf-8", errors="replace")
        wanted = executable_lines(text, changed.added)
        if not wanted:
            continue
        total += len(wanted)
        if not data_file.exists():
            continue  # the caller says why there is no data
        ran = executed_lines(data_file, str(work_dir / changed.path))
        lost = sorted(wanted - ran)
        if lost:
            missed.append((changed.path, lost))
    return total, missed


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
        total, missed = await asyncio.to_thread(
            measure, run.coverage_file, context.changes.work_dir, files
        )
        if total and not run.coverage_file.exists():
            if run.borrowed_coverage:
                return CriticResult.error(
                    f"coverage.py is not installed in {context.python.executable} and rubric's "
                    "own could not run there: `pip install coverage` in that environment"
                )
            return CriticResult.error(
                f"the test run left no coverage data (exit {run.returncode}): {run.last_line}"
            )
        if total == 0:
            return CriticResult(
                1.0,
                summary="no changed executable lines",
                reasons=(
                    "The change adds no executable line (only comments, docstrings, blanks).",
                ),
            )
        lost = sum(len(lines) for _, lines in missed)
        score = (total - lost) / total
        reasons = [
            f"The test run (`{command}`) measured with coverage.py.",
            f"{total - lost} of {total} changed executable line(s) ran.",
        ]
        reasons += [f"Not run: {path} lines {_ranges(lines)}" for path, lines in missed[:5]]
        findings = tuple(
            Finding(
                path,
                line,
                0,
                "not-covered",
                "changed line not run by the tests",
                "info",
                penalty=1.0 / total,
            )
            for path, lines in missed
            for line in lines
        )
        return CriticResult(
            score,
            summary=f"{total - lost}/{total} changed executable lines covered",
            reasons=tuple(reasons),
            findings=findings,
            evidence={"changed_executable": total, "missed": lost},
        )
