"""The batch API and the trainer adapters, called as TRL and verifiers call them."""

from __future__ import annotations

import asyncio
import inspect
import math
from pathlib import Path

import pytest
from support.batch_patches import BROKEN, fake_result, patches
from support.gitrepo import copy_repo

import rubric_lsp
from rubric_lsp.rewards import RewardError, trl_reward, verifiers_reward
from rubric_lsp.scoring.batch import BatchResult, with_advantages

STATIC_ONLY = {"benchmark": False, "tests": False, "coverage": False}


@pytest.fixture(scope="module")
def calc(base_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's own copy of the fixture: its result cache fills as the tests score."""
    return copy_repo(base_repo, tmp_path_factory.mktemp("rewards") / "calc")


@pytest.fixture(scope="module")
def scored(calc: Path) -> dict[str, float | None]:
    """Each fixture patch's final score, scored alone by rubric_lsp.score."""
    found: dict[str, float | None] = {}
    for name, patch in patches(calc).items():
        found[name] = rubric_lsp.score(calc, patch=patch, enabled=STATIC_ONLY).final_score
    assert len(set(found.values())) >= 3
    return found


def as_message(patch: str) -> list[dict[str, str]]:
    """A conversational completion holding the patch in a fenced diff block."""
    return [{"role": "assistant", "content": f"Here is the fix:\n```diff\n{patch}```\nDone."}]


def test_score_batch_returns_every_id_in_input_order(
    calc: Path, scored: dict[str, float | None]
) -> None:
    items = [{"id": name, "patch": patch} for name, patch in patches(calc).items()]
    items.append({"id": "broken", "patch": BROKEN})
    results = rubric_lsp.score_batch(
        calc, items, workers=2, enabled=STATIC_ONLY, group_advantages=True
    )
    assert [r.id for r in results] == [item["id"] for item in items]
    for result in results[:-1]:
        assert result.final_score == scored[str(result.id)]
        assert result.advantage is not None
    assert results[-1].result is None and "does not apply" in str(results[-1].error)
    assert results[-1].advantage is None
    assert sum(r.advantage or 0.0 for r in results) == pytest.approx(0.0, abs=1e-9)


def test_iter_scores_yields_each_result_as_it_finishes(calc: Path) -> None:
    diffs = list(patches(calc).values())[:3]

    async def consume() -> list[BatchResult]:
        return [r async for r in rubric_lsp.iter_scores(calc, diffs, enabled=STATIC_ONLY)]

    results = asyncio.run(consume())
    assert sorted(int(r.id) for r in results) == [0, 1, 2]
    assert all(r.final_score is not None for r in results)


def result_with(score: float | None, group: str | None = None) -> BatchResult:
    """A measured-looking result for the advantage arithmetic, or an unscored one."""
    if score is None:
        return BatchResult(0, 0, error="no", group=group)
    return BatchResult(0, 0, result=fake_result(score), group=group)


def test_advantages_are_per_group_and_zero_without_spread() -> None:
    results = [result_with(s, g) for s, g in [(1.0, "a"), (0.5, "a"), (0.7, "b"), (0.7, "b")]]
    results.append(result_with(None, "a"))
    ranked = with_advantages(results)
    spread = math.sqrt(((1.0 - 0.75) ** 2 + (0.5 - 0.75) ** 2) / 1)
    assert ranked[0].advantage == pytest.approx(0.25 / spread)
    assert ranked[1].advantage == pytest.approx(-0.25 / spread)
    assert ranked[2].advantage == 0.0 and ranked[3].advantage == 0.0
    assert ranked[4].advantage is None


def test_trl_reward_takes_grpo_trainers_call(calc: Path, scored: dict[str, float | None]) -> None:
    named = patches(calc)
    completions = [as_message(p) for p in named.values()] + [as_message(BROKEN)]
    count = len(completions)
    reward = trl_reward(enabled=STATIC_ONLY)
    # GRPOTrainer._calculate_rewards: prompts, completions, completion_ids, the trainer's
    # state and every other dataset column as a keyword holding one value per completion.
    rewards = reward(
        prompts=[[{"role": "user", "content": "fix calc"}]] * count,
        completions=completions,
        completion_ids=[[1, 2, 3]] * count,
        trainer_state=object(),
        repo=[str(calc)] * count,
        task_id=list(range(count)),
    )
    assert rewards[:-1] == [scored[name] for name in named]
    assert rewards[-1] is None
    assert reward.__name__ == "rubric_reward"


def test_trl_reward_error_policies(calc: Path) -> None:
    completions = [BROKEN]
    with pytest.raises(RewardError, match="does not apply"):
        trl_reward(calc, on_error="raise", enabled=STATIC_ONLY)(completions=completions)
    chosen = trl_reward(calc, on_error=-1.0, enabled=STATIC_ONLY)
    assert chosen(prompts=["p"], completions=completions) == [-1.0]
    with pytest.raises(ValueError, match="on_error"):
        trl_reward(calc, on_error="zero")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no repository"):
        trl_reward(enabled=STATIC_ONLY)(prompts=["p"], completions=completions)


def test_verifiers_reward_is_a_group_function_called_once_per_group(
    calc: Path, scored: dict[str, float | None]
) -> None:
    reward = verifiers_reward(enabled=STATIC_ONLY)
    # verifiers' Rubric treats a function with a `completions` parameter as a group reward
    # function and calls it with the group's prompts, completions, answers, states, tasks
    # and infos by name (Rubric.group_score_objects), awaiting it when it is a coroutine.
    group_names = {"states", "prompts", "completions", "answers", "tasks", "infos"}
    assert group_names & set(inspect.signature(reward).parameters)
    named = patches(calc)
    completions = [as_message(p) for p in named.values()] + [as_message(BROKEN)]
    states: list[dict[str, object]] = [{} for _ in completions]
    rewards = asyncio.run(
        reward(
            prompts=[[{"role": "user", "content": "fix"}]] * len(completions),
            completions=completions,
            answers=[""] * len(completions),
            states=states,
            tasks=["calc"] * len(completions),
            infos=[{"repo": str(calc)} for _ in completions],
        )
    )
    assert rewards[:-1] == [scored[name] for name in named]
    assert math.isnan(rewards[-1])
    assert "does not apply" in str(states[-1]["rubric_error"])
    assert all("rubric_error" not in state for state in states[:-1])
