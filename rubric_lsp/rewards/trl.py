"""A reward function in the shape TRL's GRPOTrainer calls: ``reward_funcs=[trl_reward(...)]``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rubric_lsp.rewards.common import UnmeasuredPolicy, check_policy, extract_patch, reward_of
from rubric_lsp.rewards.common import score_rows as _score_rows


def _column(kwargs: dict[str, Any], name: str, count: int) -> list[Any] | None:
    """A dataset column TRL passed as a keyword (one value per completion), if present."""
    values = kwargs.get(name)
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) != count:
        raise ValueError(f"the {name!r} column must hold one value per completion")
    return list(values)


def trl_reward(
    repo: str | Path | None = None,
    rubric: str | Path | None = None,
    *,
    on_error: UnmeasuredPolicy = "none",
    workers: int | None = None,
    engine: str = "local",
    patch_timeout: float | None = None,
    extract: Callable[[Any], str] = extract_patch,
    **settings: Any,
) -> Callable[..., list[float | None]]:
    """A GRPOTrainer reward function scoring each completion's patch on its repository.

    TRL calls it as ``f(prompts=..., completions=..., completion_ids=..., **columns)`` and
    expects one value per completion. The repository is ``repo`` or the dataset's ``repo``
    column; a ``base`` column gives each row's base. A patch that could not be measured gives
    ``on_error``: None by default, which TRL turns into NaN and leaves out of its sums
    (warning when every reward function of a row gave None), never a silent 0.
    """
    check_policy(on_error)
    how = {"workers": workers, "engine": engine, "patch_timeout": patch_timeout}

    def rubric_reward(
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] = (),
        **kwargs: Any,
    ) -> list[float | None]:
        """One reward per completion: its patch's final score, or ``on_error``."""
        count = len(completions)
        repos = _column(kwargs, "repo", count) or [repo] * count
        if any(r is None for r in repos):
            raise ValueError("no repository: pass repo= or give the dataset a 'repo' column")
        bases = _column(kwargs, "base", count) or [None] * count
        rows = [(r, extract(c), b) for r, c, b in zip(repos, completions, bases, strict=True)]
        results = asyncio.run(_score_rows(rows, rubric, how, settings))
        return [reward_of(result, on_error) for result in results]

    return rubric_reward
