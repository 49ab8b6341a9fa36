"""The judge's reply: checked against the schema, criterion by criterion, citations in the diff."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# "calc.py:12" or "src/a b.py:3"; the path is everything before the last colon.
_PLACE = re.compile(r"^(?P<path>.+):(?P<line>[0-9]+)$")
_NUMBERED = re.compile(r"^\s*[0-9]+[.)]\s*")
# The judge's own final step: the run writes the criterion's "Score:" step itself.
_SCORE_STEP = re.compile(r"^\**score\b", re.IGNORECASE)


class MalformedReply(ValueError):
    """A reply that is not JSON of the schema's shape: asked once more, then an error."""


@dataclass(frozen=True)
class Entry:
    """One criterion's entry of a reply of the right shape, as the judge wrote it."""

    steps: tuple[str, ...]
    points: float
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """One criterion as the judge scored it, its citations checked."""

    steps: tuple[str, ...]
    points: float
    citations: tuple[str, ...]
    # Citations dropped because they point outside the diff and name no finding.
    uncited: int


def parse_reply(
    content: str | None, names: Sequence[str], scale: tuple[float, float]
) -> dict[str, Entry]:
    """The reply's entry per criterion name; raises MalformedReply when its shape is wrong."""
    if not content:
        raise MalformedReply("the reply is empty")
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise MalformedReply(f"the reply is not JSON ({error.msg})") from None
    except (ValueError, RecursionError):
        raise MalformedReply("the reply is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list):
        raise MalformedReply('the reply has no "criteria" list')
    low, high = scale
    found: dict[str, Entry] = {}
    for item in data["criteria"]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise MalformedReply("a criterion entry has no name")
        steps, points, citations = item.get("steps"), item.get("points"), item.get("citations")
        name = item["name"]
        if not isinstance(steps, list) or not steps or not all(isinstance(s, str) for s in steps):
            raise MalformedReply(f"{name}: steps must be a non-empty list of strings")
        if isinstance(points, bool) or not isinstance(points, int | float):
            raise MalformedReply(f"{name}: points must be a number")
        if not math.isfinite(points) or not low <= points <= high:
            raise MalformedReply(f"{name}: points {points} lie outside the scale {low:g}..{high:g}")
        if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
            raise MalformedReply(f"{name}: citations must be a list of strings")
        if name in names:
            found.setdefault(name, Entry(tuple(steps), float(points), tuple(citations)))
    return found


def verdict(entry: Entry, shown: Mapping[str, set[int]], finding_ids: set[str]) -> Verdict:
    """An entry parse_reply accepted, its steps unnumbered and its citations checked."""
    steps = tuple(_NUMBERED.sub("", step).strip() for step in entry.steps)
    kept: list[str] = []
    dropped = 0
    for citation in entry.citations:
        text = citation.strip()
        if inside(text, shown, finding_ids):
            kept.append(text)
        else:
            dropped += 1
    reasoning = tuple(s for s in steps if s and not _SCORE_STEP.match(s))
    return Verdict(reasoning, entry.points, tuple(kept), dropped)


def inside(citation: str, shown: Mapping[str, set[int]], finding_ids: set[str]) -> bool:
    """Whether a citation names a finding, or a new-side line the diff shows."""
    if citation in finding_ids:
        return True
    place = _PLACE.match(citation)
    if place is None:
        return False
    return int(place["line"]) in shown.get(place["path"].removeprefix("b/"), set())
