"""A group reward function for verifiers' ``Rubric``: a whole group scored as one batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rubric_lsp.rewards.common import (
    UnmeasuredPolicy,
    check_policy,
    extract_patch,
    reward_of,
    score_rows,
    why_unmeasured,
)


def verifiers_reward(
    repo: str | Path | None = None,
    rubric: str | Path | None = None,
    *,
    on_error: UnmeasuredPolicy = "nan",
    workers: int | None = None,
    engine: str = "local",
    patch_timeout: float | None = None,
    extract: Callable[[Any], str] = extract_patch,
    **settings: Any,
) -> Callable[..., Awaitable[list[float]]]:
    """``vf.Rubric(funcs=[verifiers_reward(...)])``: one batch per group of rollouts.

    verifiers sees the parameter ``completions`` and calls it once per group with
    ``completions``, ``states``, ``infos`` and the rest by name. The repository is ``repo`` or
    each rollout's ``info["repo"]`` (``info["base"]``: its base). verifiers turns a reward
    function's exception, and a None, into 0.0, so an unmeasured patch gives NaN by default
    (the reason goes to ``state["rubric_error"]``); ``on_error="raise"`` raises instead.
    """
    check_policy(on_error)
    how = {"workers": workers, "engine": engine, "patch_timeout": patch_timeout}

    async def rubric_reward(
        completions: Sequence[Any],
        states: Sequence[dict[str, Any]] | None = None,
        infos: Sequence[Mapping[str, Any]] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        """One reward per rollout of the group: its patch's final score, or ``on_error``."""
        count = len(completions)
        infos = list(infos) if infos is not None else [{} for _ in range(count)]
        repos = [info.get("repo", repo) for info in infos]
        if any(r is None for r in repos):
            raise ValueError("no repository: pass repo= or put 'repo' in each rollout's info")
        rows = [
            (r, extract(c), info.get("base"))
            for r, c, info in zip(repos, completions, infos, strict=True)
        ]
        results = await score_rows(rows, rubric, how, settings)
        rewards: list[float] = []
        for index, result in enumerate(results):
            reward = reward_of(result, on_error)
            if states is not None and not result.measured:
                states[index]["rubric_error"] = why_unmeasured(result)
            rewards.append(float("nan") if reward is None else reward)
        return rewards

    return rubric_reward
