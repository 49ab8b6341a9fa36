"""The test command: score = passed / run tests, from pytest's junit XML or the exit status."""

from __future__ import annotations

import os
import re
import shlex
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rubric_lsp.scoring import interpreter, proc
from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding, python_argv
from rubric_lsp.scoring.pysource import real

DEFAULT_COMMAND = "python -m pytest -q"
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class Failure:
    """One failing or erroring test."""

    test_id: str
    message: str
    path: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class JunitSummary:
    """Counts of a junit XML report."""

    collected: int
    passed: int
    failed: int
    errors: int
    skipped: int
    failures: tuple[Failure, ...] = ()


def parse_junit(text: str) -> JunitSummary:
    """Count test cases by outcome in a junit XML report (pytest's ``--junitxml``)."""
    root = ET.fromstring(text)
    collected = passed = failed = errors = skipped = 0
    failures: list[Failure] = []
    for case in root.iter("testcase"):
        collected += 1
        outcome = None
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child
                break
        classname = case.get("classname", "")
        name = case.get("name", "")
        test_id = f"{classname}::{name}" if classname else name
        if outcome is None:
            passed += 1
        elif outcome.tag == "skipped":
            skipped += 1
        else:
            if outcome.tag == "failure":
                failed += 1
            else:
                errors += 1
            message = (outcome.get("message") or outcome.text or outcome.tag).strip()
            line = case.get("line")
            failures.append(
                Failure(
                    test_id,
                    message.splitlines()[0][:200] if message else outcome.tag,
                    case.get("file"),
                    int(line) + 1 if line and line.isdigit() else None,
                )
            )
    return JunitSummary(collected, passed, failed, errors, skipped, tuple(failures))


def is_pytest(argv: list[str]) -> bool:
    """Whether a command runs pytest, so junit XML and coverage can be added to it."""
    if not argv:
        return False
    if Path(argv[0]).name in ("pytest", "py.test"):
        return True
    return len(argv) >= 3 and argv[1] == "-m" and argv[2] in ("pytest", "py.test")


# Measure the Python processes the tests start too (a server under test, a CLI run by
# subprocess); each writes its own data file, combined after the run.
COVERAGE_CONFIG = "[run]\npatch = subprocess\n"


# Lines that say why a test command failed, most telling first: an argument error
# ("pytest: error: unrecognized arguments"), an exception, then pytest's "ERROR: ...".
ERROR_LINES = (
    re.compile(r": error: "),
    re.compile(r"^\s*(E\s+)?[A-Za-z]*Error\b"),
    re.compile(r"^ERROR\b"),
)


def coverage_rcfile(coverage_file: Path) -> Path:
    """Where the run's coverage configuration is written, beside its data."""
    return coverage_file.with_name(coverage_file.name + ".rc")


async def combine_coverage(coverage_file: Path, cwd: Path, python: str = sys.executable) -> None:
    """Merge the data files of every measured process into ``coverage_file``."""
    pieces = list(coverage_file.parent.glob(coverage_file.name + ".*"))
    if not any(p != coverage_rcfile(coverage_file) for p in pieces):
        return
    argv = [
        python,
        "-m",
        "coverage",
        "combine",
        "-q",
        f"--rcfile={coverage_rcfile(coverage_file)}",
        f"--data-file={coverage_file}",
    ]
    await proc.run(argv, cwd, timeout=120)


def in_project_python(argv: list[str], python: str) -> list[str]:
    """``python`` and a bare ``pytest`` run by the project's interpreter, not rubric's."""
    argv = python_argv(argv, python)
    if argv and argv[0] in ("pytest", "py.test"):
        return [python, "-m", "pytest", *argv[1:]]
    return argv


def command_argv(
    command: str,
    junit: Path,
    coverage_file: Path | None,
    include: list[str],
    python: str = sys.executable,
    script: Path | None = None,
) -> tuple[list[str], bool]:
    """The command as run: with junit XML and no cache folder for pytest, under coverage if asked.

    Returns the argv and whether coverage measures it. ``script`` is where the code of a
    ``python -c CODE`` command is written, since ``coverage run`` runs files and modules only.
    """
    argv = in_project_python(shlex.split(command), python)
    pytest = is_pytest(argv)
    if pytest:
        # No .pytest_cache in the user's tree; the report goes to a private folder.
        # xunit1 records each test's file and line, so failures point at code.
        argv = [
            *argv,
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",
            "-p",
            "no:cacheprovider",
        ]
    if coverage_file is None:
        return argv, False
    # A command that names its interpreter (``.venv/bin/python -m pytest``) is measured in it.
    if argv and Path(argv[0]).name.startswith("python"):
        python = argv[0]
    wrap = [
        python,
        "-m",
        "coverage",
        "run",
        f"--rcfile={coverage_rcfile(coverage_file)}",
        f"--data-file={coverage_file}",
    ]
    # A long list goes into the rcfile instead (run_suite writes it): one argument holds
    # at most 128 kB on Linux, about 600 long paths.
    if include and len(proc.chunked(include, proc.ONE_ARGUMENT)) == 1:
        wrap.append("--include=" + ",".join(include))
    if pytest:
        start = 1 if Path(argv[0]).name in ("pytest", "py.test") else 3
        return [*wrap, "-m", "pytest", *argv[start:]], True
    if len(argv) > 2 and argv[0] == python and argv[1] == "-c" and script is not None:
        # As under -c: imports from the working folder (not the script's), argv[0] "-c".
        prologue = "import sys; sys.path[0] = ''; sys.argv[0] = '-c'\n"
        script.write_text(prologue + argv[2], encoding="utf-8")
        return [*wrap, str(script), *argv[3:]], True
    if len(argv) > 1 and argv[0] == python and (argv[1] == "-m" or not argv[1].startswith("-")):
        return [*wrap, *argv[1:]], True
    return argv, False


def private_coverage(scratch: Path) -> Path:
    """A folder holding only rubric's own coverage.py, for a PYTHONPATH that adds nothing else."""
    import coverage

    folder = scratch / "rubric-coverage"
    if not folder.is_dir():
        folder.mkdir()
        (folder / "coverage").symlink_to(Path(coverage.__file__).parent, target_is_directory=True)
    return folder


async def missing_tools(context: Context, argv: list[str], measured: bool) -> tuple[str, bool]:
    """What the project's interpreter lacks to run the command: a one-line error, or "".

    Also whether coverage comes from rubric's private folder (the project has none).
    """
    python = context.python
    if python.own:
        return "", False
    asked = await context.shared(
        "python", lambda: interpreter.probe(python, context.changes.work_dir)
    )
    if asked.problem:
        return asked.problem, False
    if "pytest" in argv and argv[argv.index("pytest") - 1] == "-m" and not asked.has("pytest"):
        return (
            f"pytest is not installed in {python.executable}: "
            "`pip install pytest` in that environment",
            False,
        )
    return "", measured and not asked.has("coverage")


@dataclass
class SuiteRun:
    """One run of the test command, shared by the tests and coverage critics."""

    argv: list[str]
    returncode: int
    seconds: float
    pytest: bool
    junit: JunitSummary | None
    coverage_file: Path | None
    tail: str = ""
    notes: list[str] = field(default_factory=list)
    # The first line that reads as an error (pytest's "ERROR: ...", an ImportError).
    first_error: str = ""
    # Why the command could not run at all (a test runner missing from the environment).
    problem: str = ""
    # Whether coverage.py came from rubric's private folder, the project having none.
    borrowed_coverage: bool = False

    @property
    def last_line(self) -> str:
        """The line that best says why the command failed: its first error, else its last."""
        if self.first_error:
            return self.first_error
        lines = self.tail.splitlines()
        return lines[-1] if lines else ""


async def run_suite(context: Context) -> SuiteRun:
    """Run the test command once in the folder holding the new code."""
    setting = context.setting("tests")
    command = setting.command or DEFAULT_COMMAND
    junit = context.scratch / "junit.xml"
    data_file: Path | None = None
    include: list[str] = []
    if "coverage" in context.needed and context.changes.python_files:
        data_file = context.scratch / "coverage.data"
        include = [real(context.changes.work_dir / f.path) for f in context.changes.python_files]
    python = context.python.executable
    script = context.scratch / "command.py"
    argv, measured = command_argv(command, junit, data_file, include, python, script)
    problem, borrowed = await missing_tools(context, argv, measured)
    if problem:
        return SuiteRun(argv, -1, 0.0, is_pytest(argv), None, None, problem=problem)
    env = None
    if borrowed:
        extra = [str(private_coverage(context.scratch)), os.environ.get("PYTHONPATH", "")]
        env = proc.quiet_env({"PYTHONPATH": os.pathsep.join(p for p in extra if p)})
    if measured and data_file is not None:
        config = COVERAGE_CONFIG
        if len(proc.chunked(include, proc.ONE_ARGUMENT)) > 1:
            config += "include =\n" + "".join(f"    {name}\n" for name in include)
        coverage_rcfile(data_file).write_text(config, encoding="utf-8")
    timeout = setting.timeout or DEFAULT_TIMEOUT
    try:
        done = await proc.run(argv, context.changes.work_dir, env=env, timeout=timeout)
    except TimeoutError:
        raise RuntimeError(f"the test command timed out after {timeout:g} s") from None
    if measured and data_file is not None:
        # The coverage.py that wrote the data merges it; rubric's own when it was borrowed.
        await combine_coverage(
            data_file, context.changes.work_dir, sys.executable if borrowed else argv[0]
        )
    summary = None
    if junit.is_file():
        try:
            summary = parse_junit(junit.read_text(encoding="utf-8", errors="replace"))
        except ET.ParseError:
            summary = None
    output = (done.text + done.error_text).strip().splitlines()
    first_error = next(
        (line.strip() for pattern in ERROR_LINES for line in output if pattern.search(line)), ""
    )
    return SuiteRun(
        argv,
        done.returncode,
        done.seconds,
        is_pytest(argv) or (measured and "pytest" in argv),
        summary,
        data_file if measured else None,
        "\n".join(output[-3:]),
        first_error=first_error,
        borrowed_coverage=borrowed,
    )


def score_run(run: SuiteRun, command: str) -> CriticResult:
    """The tests score of a finished run."""
    if run.problem:
        return CriticResult.error(run.problem)
    ran = f"Ran `{command}` in {run.seconds:.1f} s"
    summary = run.junit
    if summary is None:
        if run.pytest and "No module named pytest" in run.tail + run.first_error:
            return CriticResult.error(
                f"{ran}: pytest is not installed in {run.argv[0]}: "
                "`pip install pytest` in that environment"
            )
        if run.pytest and run.returncode not in (0, 1):
            return CriticResult.error(
                f"{ran}: pytest failed (exit {run.returncode}): {run.last_line}"
            )
        ok = run.returncode == 0
        return CriticResult(
            1.0 if ok else 0.0,
            summary=f"test command {'passed' if ok else 'failed'} (exit {run.returncode})",
            reasons=(
                f"{ran}; it exited with status {run.returncode}.",
                "No per-test report: the exit status decides.",
            ),
        )
    counted = summary.collected - summary.skipped
    if counted <= 0:
        return CriticResult.error(
            f"{ran}: no tests were run ({summary.collected} collected, {summary.skipped} skipped)"
        )
    score = summary.passed / counted
    reasons = [
        f"{ran}: {summary.collected} collected, {summary.passed} passed, {summary.failed} failed, "
        f"{summary.errors} error(s), {summary.skipped} skipped.",
    ]
    if summary.failures:
        reasons.append(
            "Failing: "
            + ", ".join(f.test_id for f in summary.failures[:5])
            + ("" if len(summary.failures) <= 5 else f" and {len(summary.failures) - 5} more")
        )
        reasons += [f"{f.test_id}: {f.message}" for f in summary.failures[:3]]
    reasons.append(f"Passed {summary.passed} of {counted} run test(s).")
    findings = tuple(
        Finding(
            f.path,
            f.line,
            0,
            "test-failed",
            f"{f.test_id}: {f.message}",
            "error",
            penalty=1.0 / counted,
        )
        for f in summary.failures
        if f.path and f.line
    )
    return CriticResult(
        score,
        summary=f"{summary.passed}/{counted} tests passed"
        + (f"; failing: {summary.failures[0].test_id}" if summary.failures else ""),
        reasons=tuple(reasons),
        findings=findings,
        evidence={
            "collected": summary.collected,
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
            "skipped": summary.skipped,
        },
    )


class TestsCritic(DeclaredCritic, check="tests"):
    """Runs the test command (default ``python -m pytest -q``)."""

    __test__ = False  # not a pytest test class, whatever its name

    default_timeout = DEFAULT_TIMEOUT + 30.0
    codes = ("test-failed",)

    async def run(self, context: Context) -> CriticResult:
        """Score passed / run tests; failing test ids go into the steps."""
        run = await context.shared("tests", lambda: run_suite(context))
        return score_run(run, context.setting("tests").command or DEFAULT_COMMAND)
