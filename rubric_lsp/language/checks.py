"""Built-in check names, what each measures, and default criterion bindings."""

from __future__ import annotations

from rubric_lsp.language.model import Criterion

# What each built-in check measures; hover and docs show these sentences.
BUILTIN_CHECKS: dict[str, str] = {
    "tests": "Runs the test command; score = passed / collected tests.",
    "coverage": "Share of changed executable lines that the test run executes.",
    "pylint": "pylint findings on changed lines (or caused by the change), per changed statement.",
    "bandit": "bandit security findings on changed lines, weighted by severity and confidence.",
    "benchmark": "Runs the benchmark on the base and the change; a slowdown of r costs 2r.",
    "docstrings": "Share of added or changed public functions, classes and modules documented.",
    "error_handling": "Exception handling removed or errors swallowed in changed functions.",
    "complexity": "Cyclomatic complexity of changed functions, and increases against the base.",
    "naming": "pylint's naming checks on changed lines.",
    "manual": "Not measured: scored by hand in score/rescore blocks.",
}

# Checks that execute the workspace's own code, so they need a trusted workspace.
EXECUTING_CHECKS = frozenset({"tests", "coverage", "benchmark"})

DEFAULT_BINDINGS: dict[str, str] = {
    "correctness": "tests",
    "tests": "coverage",
    "style": "pylint",
    "security": "bandit",
    "performance": "benchmark",
    "docs": "docstrings",
    "error_handling": "error_handling",
    "readability": "complexity",
    "naming": "naming",
}

# Attributes each entry of a checks block understands.
CHECK_SETTINGS: dict[str, str] = {
    "command": "The command to run, as a string (split like a shell would, not run by one).",
    "timeout": "Seconds before the run is stopped and the criterion reports an error.",
    "repeat": "How many times a benchmark runs on each side; medians are compared.",
    "enabled": (
        "false turns the check off; its criterion falls back to its hand score, else unscored."
    ),
}


def bound_check(criterion: Criterion) -> str | None:
    """The built-in check that measures a criterion, or None when scored by hand."""
    explicit = criterion.check_name
    if explicit is not None:
        return None if explicit == "manual" else explicit
    return DEFAULT_BINDINGS.get(criterion.name.text)
