"""The Python API: score a change from an agent harness or an RL loop."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from rubric_lsp.scoring.engine import ProgressCallback, ScoreResult, run_scoring
from rubric_lsp.scoring.options import (
    DEFAULTS,
    DOC,
    ScoreOptions,
    SettingError,
    one_line,
    path_text,
    setting_fields,
)
from rubric_lsp.scoring.proc import ScoringError

__all__ = ["ScoreOptions", "ScoreResult", "ScoringError", "run_scoring", "score"]

# Settings that are also positional parameters of score(), as they always were.
_POSITIONAL = ("rubric", "base")


def score(
    repo: str | Path = ".",
    rubric: str | Path | None = None,
    base: str = DEFAULTS.base,
    patch: str | bytes | Path | None = None,
    *,
    rubric_text: str | None = None,
    enabled: Mapping[str, bool] | None = None,
    timeouts: Mapping[str, float] | None = None,
    progress: ProgressCallback | None = None,
    **settings: Any,
) -> ScoreResult:
    """Score a repository's change (or ``patch``, a unified diff) against a rubric.

    ``patch`` is the diff itself (str or bytes) or a Path to a file holding it; it is applied
    onto ``base`` in a temporary checkout, never in the repository's tree. ``enabled``
    (``{"benchmark": False}``) and ``timeouts`` (``{"tests": 120}``) override ``critics``.
    The result's ``final_score`` is the weighted reward in [0, 1]; ``to_json()`` gives the
    JSON contract. Raises ScoringError for usage, configuration and repository problems.
    From a running event loop, await ``run_scoring(ScoreOptions(...))`` instead.
    """
    known = {field.name for field in setting_fields()}
    for name in settings:
        if name not in known or name in _POSITIONAL:
            raise TypeError(f"score() got an unexpected keyword argument {name!r}")
    data: bytes | None
    if isinstance(patch, Path):
        data = patch.read_bytes()
    elif isinstance(patch, str):
        data = patch.encode("utf-8")
    else:
        data = patch
    try:
        options = ScoreOptions(
            **settings,
            rubric=path_text(rubric),
            base=base,
            repo=repo,
            rubric_text=rubric_text,
            patch=data,
        )
    except SettingError as error:
        raise ScoringError(str(error)) from None
    options = attrs.evolve(
        options,
        enabled={**options.enabled, **(enabled or {})},
        timeouts={**options.timeouts, **(timeouts or {})},
    )
    return asyncio.run(run_scoring(options, progress))


def _signature() -> inspect.Signature:
    """score()'s parameters with every shared setting as a keyword, defaulted from the tree."""
    own = inspect.signature(score).parameters
    positional = [own[name] for name in ("repo", "rubric", "base", "patch")]
    shared = [
        inspect.Parameter(
            field.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=getattr(DEFAULTS, field.name),
            annotation=field.type,
        )
        for field in setting_fields()
        if field.name not in _POSITIONAL
    ]
    tail = [own[name] for name in ("rubric_text", "enabled", "timeouts", "progress")]
    return inspect.Signature(
        [*positional, tail[0], *shared, *tail[1:]],
        return_annotation=inspect.signature(score).return_annotation,
    )


def _settings_doc() -> str:
    lines = ["", "Settings, keywords with their defaults:", ""]
    for field in setting_fields():
        lines.append(f"    {field.name}={getattr(DEFAULTS, field.name)!r}: ")
        lines[-1] += one_line(field.metadata[DOC])
    return "\n".join(lines) + "\n"


score.__signature__ = _signature()  # type: ignore[attr-defined]
score.__doc__ = (score.__doc__ or "") + _settings_doc()
