"""The scoring settings, declared once: the CLI, the Python API and the server read this tree.

Every field has a default and a one-line ``doc`` in its metadata. ``rubric score`` turns the
fields into options (``flag`` and ``flag_help`` when the option's spelling is not the field's
name), ``rubric_lsp.score`` into keyword arguments, and the language server into its camelCase
settings, so a new field here appears in all three.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

DOC = "doc"
# How the server names a value of this type when a client sends a bad one.
EXPECTS = "expects"
# The command-line spelling when it is not ``--field-name``, and its help when it says the opposite.
FLAG = "flag"
FLAG_HELP = "flag_help"
METAVAR = "metavar"

UNTRUSTED_HINT = (
    "run it trusted (rubric score does by default; the language server needs trusted=true)"
)


def setting(
    default: Any = attrs.NOTHING,
    *,
    doc: str,
    expects: str,
    factory: Callable[[], Any] | None = None,
    validator: Any = None,
    converter: Any = None,
    flag: str | None = None,
    flag_help: str | None = None,
    metavar: str | None = None,
) -> Any:
    """An attrs field with its default, its doc line and how front ends spell it."""
    metadata: dict[str, str] = {DOC: doc, EXPECTS: expects}
    for key, value in ((FLAG, flag), (FLAG_HELP, flag_help), (METAVAR, metavar)):
        if value is not None:
            metadata[key] = value
    return attrs.field(
        default=default,
        factory=factory,
        validator=validator,
        converter=converter,
        metadata=metadata,
    )


class SettingError(ValueError):
    """A setting's value out of its range: ``name`` is the field, ``problem`` what is wrong."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name} {problem}")
        self.name = name
        self.problem = problem


def between(low: float, high: float) -> Callable[[Any, attrs.Attribute[Any], float], None]:
    """A validator for a number in [low, high]."""

    def check(_: Any, field: attrs.Attribute[Any], value: float) -> None:
        if not low <= value <= high:
            raise SettingError(field.name, f"must lie between {low:g} and {high:g}")

    return check


def positive_or_none(_: Any, field: attrs.Attribute[Any], value: float | None) -> None:
    """A validator for an optional number above 0."""
    if value is not None and not value > 0:
        raise SettingError(field.name, "must be positive")


def at_least_zero(_: Any, field: attrs.Attribute[Any], value: int) -> None:
    """A validator for a whole number of 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SettingError(field.name, "must be a whole number, 0 or more")


def path_text(value: str | os.PathLike[str] | None) -> str:
    """A path as the settings hold it: text, with empty for 'not given'."""
    return "" if value is None else os.fspath(value)


@attrs.frozen
class CheckOverride:
    """One check's overrides: turn it off, or give it another time limit."""

    enabled: bool = setting(
        True,
        doc="Whether this check runs when the change is scored.",
        expects="true or false",
    )
    timeout: float | None = setting(
        None,
        doc="Seconds before the check is stopped and its criterion reports an error.",
        expects="a positive number",
        validator=positive_or_none,
    )


@attrs.frozen
class ScoringSettings:
    """How a change is scored: what `rubric score`, `rubric_lsp.score` and the server share."""

    rubric: str = setting(
        "",
        doc="The rubric to score against (the server reads it from the workspace folder); "
        "empty: the single `*.rubric` at the repository root, else the built-in default rubric.",
        expects="a path",
        converter=path_text,
        metavar="PATH",
    )
    base: str = setting(
        "HEAD",
        doc="Score the change against this revision: `HEAD` (uncommitted work), or a branch "
        "such as `main` (its merge-base with `HEAD`).",
        expects="a git revision",
        metavar="REV",
    )
    trusted: bool = setting(
        True,
        doc="Run the checks that execute the repository's own code (tests, coverage, benchmark); "
        "untrusted, they are skipped and the static checks still run.",
        expects="true or false",
        flag="--untrusted",
        flag_help="Do not run the checks that execute the repository's own code "
        "(tests, coverage, benchmark).",
    )
    max_files: int = setting(
        1000,
        doc="The most changed Python files a run reads; a change over it makes the criteria "
        "that read changed files an error saying so, and the tests and benchmark still run "
        "(0: no limit).",
        expects="a whole number, 0 or more",
        validator=at_least_zero,
        metavar="N",
    )
    python: str = setting(
        "",
        doc="The project's Python interpreter: the tests and coverage run in it and pylint "
        "sees its packages; empty: the one the tests command names, else `VIRTUAL_ENV`, "
        "`.venv/` or `venv/` at the repository root, or the uv, poetry, pdm or hatch environment.",
        expects="a path",
        converter=path_text,
        metavar="PATH",
    )
    # The judge's endpoint from the user's side: only a URL given here (or in the user's
    # environment) lets code leave the machine, whatever URL the workspace's rubric names.
    judge_url: str = setting(
        "",
        doc="The OpenAI-compatible endpoint `check=judge` criteria are judged on, e.g. "
        "`http://127.0.0.1:8080/v1`; empty: `RUBRIC_JUDGE_URL`. Code is sent only to a URL "
        "given here or there, never to one that only the rubric names.",
        expects="a URL",
        metavar="URL",
    )
    judge_model: str = setting(
        "",
        doc="The model the judge endpoint serves; empty: `RUBRIC_JUDGE_MODEL`, else the "
        "rubric's `checks { judge model=... }`.",
        expects="a model name",
        metavar="NAME",
    )
    heal_threshold: float = setting(
        0.8,
        doc="Criteria whose score (a share of the scale's maximum) is below this get their full "
        "chain of reasoning steps, a `revise` entry in the suggested critique and, in an editor, "
        "a warning on the rubric (0 to 1).",
        expects="a number from 0 to 1",
        validator=between(0.0, 1.0),
        metavar="X",
    )
    critics: Mapping[str, CheckOverride] = setting(
        factory=dict,
        doc='Per-check settings by check name, e.g. `{"pylint": {"enabled": false}, '
        '"tests": {"timeout": 600}}`.',
        expects="an object of {enabled, timeout} by check name",
    )
    use_cache: bool = setting(
        True,
        doc="Read and write the result cache under the git dir (`.git/rubric-cache/`).",
        expects="true or false",
        flag="--no-cache",
        flag_help="Neither read nor write the result cache.",
    )


def _enabled_from_critics(options: ScoreOptions) -> Mapping[str, bool]:
    return {name: check.enabled for name, check in options.critics.items()}


def _timeouts_from_critics(options: ScoreOptions) -> Mapping[str, float]:
    return {
        name: check.timeout for name, check in options.critics.items() if check.timeout is not None
    }


@attrs.frozen
class ScoreOptions(ScoringSettings):
    """One run: the shared settings, plus what to score and the caller's own hooks."""

    repo: str | Path = "."
    # Rubric text to use instead of reading ``rubric`` (an editor's unsaved buffer).
    rubric_text: str | None = None
    # A unified diff to score, applied onto the base in a temporary checkout.
    patch: bytes | None = None
    # Per-check overrides as the engine reads them; by default, those of ``critics``.
    enabled: Mapping[str, bool] = attrs.field(
        default=attrs.Factory(_enabled_from_critics, takes_self=True)
    )
    timeouts: Mapping[str, float] = attrs.field(
        default=attrs.Factory(_timeouts_from_critics, takes_self=True)
    )
    # What a skipped, untrusted check tells the user to do.
    untrusted_hint: str = UNTRUSTED_HINT
    # Whether this run asks the judge: an editor's save does only when the user turned it on.
    judge: bool = True
    # A pylint that stays warm between runs (a language server's worker): same signature as
    # critics.pylint.run_pylint, which runs a fresh process when this is None.
    pylint_runner: Any = None
    # Where a patch is applied: ``checkout(root, base)`` gives an async context manager that
    # yields a folder holding ``base`` (a batch worker's reused checkout); None: a new
    # temporary worktree per run (scoring.snapshot.snapshot).
    checkout: Any = None
    # Queue a result that review_if flags for a person (under the git dir): rubric score,
    # a batch and an editor's save do; the Python API and `rubric test` do not.
    queue_review: bool = False


def setting_fields() -> tuple[attrs.Attribute[Any], ...]:
    """The shared settings' fields, in declaration order."""
    return attrs.fields(ScoringSettings)


def shared_values(settings: ScoringSettings) -> dict[str, Any]:
    """The shared settings' values by field name, to build ScoreOptions from a subclass."""
    return {field.name: getattr(settings, field.name) for field in setting_fields()}


def one_line(text: str) -> str:
    """A field's doc as one line of words."""
    return " ".join(text.split())


DEFAULTS = ScoringSettings()
DEFAULT_HEAL_THRESHOLD = DEFAULTS.heal_threshold
