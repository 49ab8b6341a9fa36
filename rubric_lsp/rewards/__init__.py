"""Reward functions for RL trainers: a completion's patch scored against a rubric."""

from __future__ import annotations

from rubric_lsp.rewards.common import RewardError, UnmeasuredPolicy, extract_patch, reward_of
from rubric_lsp.rewards.trl import trl_reward
from rubric_lsp.rewards.verifiers import verifiers_reward

__all__ = [
    "RewardError",
    "UnmeasuredPolicy",
    "extract_patch",
    "reward_of",
    "trl_reward",
    "verifiers_reward",
]
