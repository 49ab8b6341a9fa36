"""The labelled queue as training data for a critic: JSON Lines, or chat messages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rubric_lsp.language.model import TaskField, quote
from rubric_lsp.language.parser import parse
from rubric_lsp.scoring.result import number
from rubric_lsp.scoring.review.queue import ReviewItem

SYSTEM = (
    "You review a code change against a rubric. For each criterion, reason in numbered "
    "steps from the evidence in the diff, then give its points on the scale {low:g}..{high:g}. "
    'End with a score block: score {{ NAME POINTS "why" }}.\n\nThe rubric:\n{rubric}'
)


def task_of(item: ReviewItem) -> dict[str, Any]:
    """The rubric's task block: title, objective and constraints (empty when it has none)."""
    block = parse(item.rubric_text).first("task")
    task: dict[str, Any] = {}
    for entry in block.entries_of(TaskField) if block is not None else ():
        key, value = entry.key.text, entry.value.text
        if key == "constraints":
            task.setdefault("constraints", []).append(value)
        else:
            task[key] = value
    return task


def record(item: ReviewItem) -> dict[str, Any]:
    """One JSON line: the change, the task, each criterion measured and as people scored it."""
    human = item.human_points()
    criteria = {}
    for name, data in item.criteria.items():
        criteria[name] = {
            "measured": {
                key: data.get(key)
                for key in ("score", "points", "status", "check", "comment", "steps", "findings")
            },
            "human_points": human.get(name),
            "labels": [
                {"who": label.who, "points": label.points[name], "when": label.when}
                for label in item.labels
                if name in label.points
            ],
        }
    return {
        "id": item.id,
        "queued": item.queued,
        "task": task_of(item),
        "rubric": item.rubric,
        "rubric_hash": item.rubric_hash,
        "scale": list(item.scale),
        "base": item.base,
        "diff": item.diff,
        "final_score": item.final_score,
        "verdict": item.verdict,
        "criteria": criteria,
        "labelled": item.labelled,
        "notes": [{"who": label.who, "note": label.note} for label in item.labels if label.note],
    }


def chat(item: ReviewItem) -> dict[str, Any]:
    """System, user and assistant messages: the assistant reasons, then gives people's points."""
    low, high = item.scale
    task = task_of(item)
    user = []
    if task:
        user.append("Task:")
        user += [f"  {key}: {value}" for key, value in task.items()]
    user += ["Diff:", item.diff]
    human = item.human_points()
    notes = "; ".join(label.note for label in item.labels if label.note)
    reasoning: list[str] = []
    block = ["score {"]
    for name, data in item.criteria.items():
        reasoning.append(f"{name}:")
        reasoning += [f"  {step}" for step in data.get("steps") or ()]
        # A person's points when there are any; an unlabelled item keeps what was measured.
        points = human.get(name, data.get("points"))
        if points is None:
            continue
        why = notes if notes and name in human else str(data.get("comment") or "")
        # One line: a rubric string cannot span lines.
        why = " ".join(why.split())
        block.append(f"  {name} {number(float(points))} {quote(why)}")
    block.append("}")
    return {
        "id": item.id,
        "labelled": item.labelled,
        "messages": [
            {
                "role": "system",
                "content": SYSTEM.format(low=low, high=high, rubric=item.rubric_text),
            },
            {"role": "user", "content": "\n".join(user)},
            {"role": "assistant", "content": "\n".join([*reasoning, *block])},
        ],
    }


def export(
    items: Sequence[ReviewItem], form: str, include_unlabelled: bool
) -> Iterator[dict[str, Any]]:
    """The lines of ``rubric dataset export``: labelled items (and unlabelled ones if asked)."""
    for item in items:
        if item.labelled or include_unlabelled:
            yield chat(item) if form == "chat" else record(item)
