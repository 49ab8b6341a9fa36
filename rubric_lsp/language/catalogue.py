"""The catalogue of checks: what each one is, declared once for the language and the scorer.

Pure data. The language reads names, summaries, bindings and trust from here (validation,
hover, completion); the scoring side attaches a critic that runs each declared check
(``rubric_lsp.scoring.critic.registry``), and a test fails when the two disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckDeclaration:
    """What a check is: its name, what it measures, what it needs, what it binds by default."""

    name: str
    # One line on what it measures: hover, completion and SARIF rule descriptions show it.
    summary: str
    # Runs the workspace's own code (tests, benchmarks), so it needs a trusted workspace.
    executes_code: bool = False
    # Criteria this check measures when they name no check of their own.
    binds: tuple[str, ...] = ()
    # The check whose one run this check is measured from: it shares that run's timeout.
    measured_from: str | None = None
    # Finding codes of a broader check (pylint) that this one owns when both run: a finding
    # costs one criterion, the one that measures what it is about.
    claims: tuple[str, ...] = ()
    # Judged by a model rather than measured by a tool: it runs after the measured checks,
    # whose findings it is given as evidence.
    judged: bool = False


# Every measured check, in the order completion and "did you mean" lists show them.
CATALOGUE: tuple[CheckDeclaration, ...] = (
    CheckDeclaration(
        "tests",
        "Runs the test command; score = passed / collected tests.",
        executes_code=True,
        binds=("correctness",),
    ),
    CheckDeclaration(
        "coverage",
        "Share of changed executable lines the tests run (lines run on import and tests aside).",
        executes_code=True,
        binds=("tests",),
        measured_from="tests",
    ),
    CheckDeclaration(
        "pylint",
        "pylint findings on changed lines (or caused by the change), counted.",
        binds=("style",),
    ),
    CheckDeclaration(
        "bandit",
        "bandit security findings on changed lines, weighted by severity and confidence.",
        binds=("security",),
        # pylint's exec-used and eval-used: bandit's B102 and B307 measure the same calls.
        claims=("W0122", "W0123"),
    ),
    CheckDeclaration(
        "benchmark",
        "Runs the benchmark on the base and the change; a slowdown of r costs 2r.",
        executes_code=True,
        binds=("performance",),
    ),
    CheckDeclaration(
        "docstrings",
        "Share of added or changed public functions, classes and modules documented.",
        binds=("docs",),
        # pylint's missing-module-, missing-class- and missing-function-docstring.
        claims=("C0114", "C0115", "C0116"),
    ),
    CheckDeclaration(
        "judge",
        "A model on an OpenAI-compatible endpoint judges the criterion's `describe` text "
        "from the diff and the measured evidence; points on the rubric's scale.",
        judged=True,
    ),
    CheckDeclaration(
        "error_handling",
        "Exception handling removed or errors swallowed in changed functions.",
        binds=("error_handling",),
        # pylint's bare-except and broad-exception-caught: it counts both handlers itself.
        claims=("W0702", "W0718"),
    ),
    CheckDeclaration(
        "complexity",
        "Cyclomatic complexity of changed functions, and increases against the base.",
        binds=("readability",),
    ),
    CheckDeclaration(
        "naming",
        "pylint's naming checks and non-descriptive names on changed lines.",
        binds=("naming",),
        # The message ids of pylint's naming checks (a test reads them from pylint itself).
        claims=("C0103", "C0104", "C0105", "C0131", "C0132", "C2401", "C2403", "W2402"),
    ),
)

# Not a measurement: `check=manual` leaves a criterion to its hand score.
MANUAL = CheckDeclaration("manual", "Not measured: scored by hand in score/rescore blocks.")

DECLARED: dict[str, CheckDeclaration] = {check.name: check for check in CATALOGUE}


def claimed_codes(running: Iterable[str]) -> dict[str, str]:
    """Each finding code a running check claims, mapped to that check (its one owner)."""
    owners: dict[str, str] = {}
    for name in running:
        declaration = DECLARED.get(name)
        for code in declaration.claims if declaration else ():
            owners.setdefault(code, name)
    return owners
