"""Views of the check catalogue the language reads, the check settings, and bindings."""

from __future__ import annotations

from rubric_lsp.language.catalogue import CATALOGUE, MANUAL
from rubric_lsp.language.model import Criterion

# What each check measures, by name (the measured ones, then manual); hover and docs show them.
BUILTIN_CHECKS: dict[str, str] = {check.name: check.summary for check in (*CATALOGUE, MANUAL)}

# Checks that execute the workspace's own code, so they need a trusted workspace.
EXECUTING_CHECKS = frozenset(check.name for check in CATALOGUE if check.executes_code)

# The check that measures a criterion of this name when it names none.
DEFAULT_BINDINGS: dict[str, str] = {
    criterion: check.name for check in CATALOGUE for criterion in check.binds
}

# Attributes each entry of a checks block understands.
CHECK_SETTINGS: dict[str, str] = {
    "command": "The command to run, as a string (split like a shell would, not run by one).",
    "timeout": "Seconds before the run is stopped and the criterion reports an error.",
    "repeat": "How many times a benchmark runs on each side; medians are compared.",
    "allow": "naming: the one-letter names accepted, comma-separated (default i,j,k,n,x,y,z,_).",
    "url": "judge: the OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1; code is sent "
    "only when the user's side (--judge-url, RUBRIC_JUDGE_URL, judgeUrl) also gives a URL.",
    "model": "judge: the model name the endpoint serves.",
    "enabled": (
        "false turns the check off; its criterion falls back to its hand score, else unscored."
    ),
}


def bound_check(criterion: Criterion) -> str | None:
    """The built-in check that measures a criterion, or None when scored by hand."""
    explicit = criterion.check_name
    if explicit is not None:
        return None if explicit == MANUAL.name else explicit
    return DEFAULT_BINDINGS.get(criterion.name.text)
