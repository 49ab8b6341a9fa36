"""What each keyword of the language means: the one text hover and completion show."""

from __future__ import annotations

from rubric_lsp.language.checks import CHECK_SETTINGS

# One paragraph of markdown per keyword, following docs/language.md.
KEYWORDS: dict[str, str] = {
    # Blocks.
    "task": (
        "**task** `{ ... }` — what the change is meant to do: `title`, `objective` and "
        "`constraints` strings. At most once per file."
    ),
    "reward_rubric": (
        "**reward_rubric** `{ ... }` — the criteria a change is scored on: "
        "`criterion NAME weight=N check=NAME` entries and an optional `scale LOW..HIGH` "
        "(default `0..5`). Exactly once per file."
    ),
    "checks": (
        '**checks** `{ ... }` — how bound critics run: `CHECK command="..." timeout=SECONDS '
        "repeat=N enabled=true|false`. At most once per file."
    ),
    "score": (
        '**score** `{ ... }` — hand scores: `NAME POINTS "comment"`, points on the scale. '
        "Any number of blocks; the latest entry for a criterion wins."
    ),
    "critique": (
        '**critique** `{ ... }` — what to improve next: `revise NAME "what to change"`, '
        "aimed at the weakest criteria."
    ),
    "rescore": (
        "**rescore** `{ ... }` — scores after a revision, written like `score`; "
        "the latest entry for a criterion wins."
    ),
    "accept_if": (
        "**accept_if** `{ ... }` — the change is accepted when every rule holds: "
        "`total_gte N`, `minimum NAME N`, `weighted_gte X`. At most once per file."
    ),
    "review_if": (
        "**review_if** `{ ... }` — flags a result for a person to review: "
        "`weighted_between A B`. At most once per file."
    ),
    # Task fields.
    "title": '**title** `"..."` — a one-line name for the task.',
    "objective": '**objective** `"..."` — what the change must achieve.',
    "constraints": (
        '**constraints** `"..."` — what the change must not do; may be given more than once.'
    ),
    # Rubric entries.
    "criterion": (
        "**criterion** `NAME weight=N check=NAME` — one thing the change is scored on. "
        "`weight` is a positive number (default 1); `check=` binds a built-in critic that "
        "measures it, otherwise it is scored by hand."
    ),
    "scale": (
        "**scale** `LOW..HIGH` — the range of points a criterion can get, integers with "
        "LOW < HIGH; default `0..5`."
    ),
    # Criterion attributes.
    "weight": (
        "**weight**`=N` — how much a criterion counts in the weighted score: "
        "Σ(weight · score) / Σ weight. A positive number, default 1; keep weights small and "
        "balanced, as large single weights invite reward hacking."
    ),
    "check": (
        "**check**`=NAME` — the built-in critic that measures this criterion "
        "(`tests`, `coverage`, `pylint`, ...); `check=manual` means it is scored by hand."
    ),
    # Rules.
    "total_gte": ("**total_gte** `N` — holds when the sum of all criteria's points is at least N."),
    "minimum": (
        "**minimum** `NAME N` — holds when that criterion's points are at least N; "
        "fails when it is unscored."
    ),
    "weighted_gte": (
        "**weighted_gte** `X` — holds when the weighted score is at least X, "
        "in [0, 1] (`80%` is 0.8)."
    ),
    "weighted_between": (
        "**weighted_between** `A B` — in `review_if`: flags a weighted score in [A, B] "
        "for a person to review."
    ),
    # Critique verbs.
    "revise": (
        '**revise** `NAME "what to change"` — asks the next attempt to raise this criterion.'
    ),
}

# Settings of an entry in a checks block, shown on hover and in completion.
CHECK_SETTING_DOCS: dict[str, str] = {
    key: f"**{key}**`=` — {text}" for key, text in CHECK_SETTINGS.items()
}
