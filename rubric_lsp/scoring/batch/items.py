"""A batch's input lines and output lines: what is scored, and what each patch got."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.result import ScoreResult

# An id is echoed back as given: a JSON string or a whole number.
BatchId = str | int


@attrs.frozen
class BatchItem:
    """One patch to score: its id, the unified diff, and its base (None: the batch's base)."""

    id: BatchId
    patch: bytes
    base: str | None = None
    # Patches of one group share a mean and a spread for their advantages (GRPO's group).
    group: str | None = None


@attrs.frozen
class BatchResult:
    """What one patch got: a result, or the reason it could not be scored."""

    id: BatchId
    index: int
    result: ScoreResult | None = None
    error: str | None = None
    advantage: float | None = None
    group: str | None = None

    @property
    def final_score(self) -> float | None:
        """The weighted reward in [0, 1], or None when the patch could not be scored."""
        return None if self.result is None else self.result.final_score

    @property
    def measured(self) -> bool:
        """Whether every criterion a check measures was measured (none is an error)."""
        if self.result is None or self.result.final_score is None:
            return False
        return all(c.status != "error" for c in self.result.criteria.values())

    def to_json(self, with_advantage: bool = False) -> dict[str, Any]:
        """The JSON contract of one result plus ``id``; ``{"id", "error"}`` when unscored."""
        line: dict[str, Any] = {"id": self.id}
        if self.result is not None:
            line.update(self.result.to_json())
        else:
            line["error"] = self.error
        if with_advantage:
            line["advantage"] = None if self.advantage is None else round(self.advantage, 6)
        return line


def _item(number: int, data: Any) -> BatchItem:
    """One decoded input line as an item; ScoringError naming the line when it is malformed."""
    where = f"line {number}"
    if not isinstance(data, dict):
        raise ScoringError(f"{where}: expected an object with 'id' and 'patch'")
    unknown = set(data) - {"id", "patch", "base", "group"}
    if unknown:
        raise ScoringError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    ident = data.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        raise ScoringError(f"{where}: 'id' must be a string or a whole number")
    patch = data.get("patch")
    if not isinstance(patch, str):
        raise ScoringError(f"{where}: 'patch' must be a string holding a unified diff")
    base, group = data.get("base"), data.get("group")
    if base is not None and (not isinstance(base, str) or not base):
        raise ScoringError(f"{where}: 'base' must be a git revision")
    if group is not None and not isinstance(group, str):
        raise ScoringError(f"{where}: 'group' must be a string")
    return BatchItem(ident, patch.encode("utf-8"), base, group)


def parse_lines(lines: Iterable[str]) -> list[BatchItem]:
    """JSON Lines input as items (blank lines skipped); ScoringError on any bad line."""
    items: list[BatchItem] = []
    seen: set[BatchId] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as error:
            raise ScoringError(f"line {number}: not JSON ({error})") from None
        item = _item(number, data)
        if item.id in seen:
            raise ScoringError(f"line {number}: id {item.id!r} appears twice")
        seen.add(item.id)
        items.append(item)
    return items


def as_items(patches: Sequence[Any]) -> list[BatchItem]:
    """The API's patches (items, diffs, or dicts like input lines) as items; ids by position."""
    items: list[BatchItem] = []
    for index, patch in enumerate(patches):
        if isinstance(patch, BatchItem):
            items.append(patch)
        elif isinstance(patch, str | bytes):
            data = patch.encode("utf-8") if isinstance(patch, str) else patch
            items.append(BatchItem(index, data))
        elif isinstance(patch, dict):
            items.append(_item(index + 1, {"id": index, **patch}))
        else:
            raise TypeError(f"patch {index}: expected a diff, a dict or a BatchItem")
    if len({item.id for item in items}) != len(items):
        raise ScoringError("two patches have the same id")
    return items


def with_advantages(results: Sequence[BatchResult]) -> list[BatchResult]:
    """Each measured result's (reward - group mean) / group std; a spread of 0 gives 0.

    Only measured rewards enter a group's mean and spread; an unmeasured result has none.
    The spread is the sample standard deviation over the group, as TRL's GRPO computes it.
    """
    groups: dict[str | None, list[float]] = {}
    for result in results:
        if result.measured and result.final_score is not None:
            groups.setdefault(result.group, []).append(result.final_score)
    done: list[BatchResult] = []
    for result in results:
        rewards = groups.get(result.group, [])
        if not result.measured or result.final_score is None or not rewards:
            done.append(attrs.evolve(result, advantage=None))
            continue
        mean = statistics.fmean(rewards)
        spread = statistics.stdev(rewards) if len(rewards) > 1 else 0.0
        advantage = (
            0.0
            if math.isclose(spread, 0.0, abs_tol=1e-12)
            else ((result.final_score - mean) / spread)
        )
        done.append(attrs.evolve(result, advantage=advantage))
    return done
