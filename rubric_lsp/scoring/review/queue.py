"""The review queue: borderline results kept under the git dir, with the labels people give.

One JSON file per item in ``<common git dir>/rubric-review/items/``: never in the working
tree, shared by every worktree and kept across branch switches. Writes go to a temporary file
in the same folder and are renamed over the item, under a lock, so a reader never sees half an
item and two labels given at once are both kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import statistics
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FOLDER = "rubric-review"
ID_LENGTH = 12


class ReviewError(Exception):
    """A queue request that cannot be served: an unknown id, an unreadable item."""


def now() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def text_hash(text: str) -> str:
    """The sha256 of a text, hex."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()


def item_id(diff: str, rubric_hash: str) -> str:
    """The id of a queued result: the same diff scored by the same rubric is one item."""
    return text_hash(f"{rubric_hash}\0{diff}")[:ID_LENGTH]


@dataclass(frozen=True)
class Label:
    """One person's points for an item's criteria, with who gave them, when and why."""

    points: dict[str, float]
    name: str
    email: str
    when: str
    note: str = ""
    # Where it was given: "cli" or "editor".
    via: str = "cli"

    @property
    def who(self) -> str:
        """``Name <email>``, as git writes an author; the email alone when there is no name."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or "unknown"

    def to_json(self) -> dict[str, Any]:
        """The stored shape of a label: its fields."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Label:
        """A label back from its stored shape."""
        points = {str(k): float(v) for k, v in dict(data.get("points", {})).items()}
        return cls(
            points=points,
            name=str(data.get("name", "")),
            email=str(data.get("email", "")),
            when=str(data.get("when", "")),
            note=str(data.get("note", "")),
            via=str(data.get("via", "cli")),
        )


@dataclass(frozen=True)
class ReviewItem:
    """A queued result: the change, the rubric that scored it, what was measured, the labels."""

    id: str
    diff: str
    rubric: str
    rubric_text: str
    rubric_hash: str
    base: str | None
    base_ref: str
    # Each criterion's score, points, weight, check, status, source, comment, steps, findings.
    criteria: dict[str, dict[str, Any]]
    final_score: float | None
    verdict: str
    scale: tuple[float, float]
    queued: str
    labels: tuple[Label, ...] = field(default=())

    @property
    def labelled(self) -> bool:
        """Whether a person has labelled it."""
        return bool(self.labels)

    def people_points(self) -> dict[str, dict[str, float]]:
        """Each person's points (keyed by email, else name): their latest for each criterion."""
        people: dict[str, dict[str, float]] = {}
        for label in self.labels:
            people.setdefault(label.email or label.name, {}).update(label.points)
        return people

    def human_points(self) -> dict[str, float]:
        """The people's points per criterion: the median of each person's latest points."""
        given: dict[str, list[float]] = {}
        for points in self.people_points().values():
            for name, value in points.items():
                given.setdefault(name, []).append(value)
        return {name: statistics.median(values) for name, values in given.items()}

    def measured_points(self) -> dict[str, float]:
        """The points each scored criterion got when the item was queued."""
        found: dict[str, float] = {}
        for name, data in self.criteria.items():
            if data.get("points") is not None:
                found[name] = float(data["points"])
        return found

    def to_json(self) -> dict[str, Any]:
        """The stored shape of an item (also what ``rubric review show --format json`` prints)."""
        return {
            "id": self.id,
            "queued": self.queued,
            "rubric": self.rubric,
            "rubric_hash": self.rubric_hash,
            "rubric_text": self.rubric_text,
            "base": self.base,
            "base_ref": self.base_ref,
            "scale": list(self.scale),
            "final_score": self.final_score,
            "verdict": self.verdict,
            "criteria": self.criteria,
            "diff": self.diff,
            "labels": [label.to_json() for label in self.labels],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewItem:
        """An item back from its stored shape."""
        low, high = data.get("scale", (0, 5))
        return cls(
            id=str(data["id"]),
            diff=str(data["diff"]),
            rubric=str(data.get("rubric", "")),
            rubric_text=str(data.get("rubric_text", "")),
            rubric_hash=str(data.get("rubric_hash", "")),
            base=data.get("base"),
            base_ref=str(data.get("base_ref", "HEAD")),
            criteria={str(k): dict(v) for k, v in dict(data.get("criteria", {})).items()},
            final_score=data.get("final_score"),
            verdict=str(data.get("verdict", "")),
            scale=(float(low), float(high)),
            queued=str(data.get("queued", "")),
            labels=tuple(Label.from_json(label) for label in data.get("labels", ())),
        )


class ReviewQueue:
    """The queue of one repository, kept in its common git dir."""

    def __init__(self, git_dir: Path) -> None:
        self.folder = Path(git_dir) / FOLDER
        self.items_folder = self.folder / "items"

    def path(self, review_id: str) -> Path:
        """Where an item is stored."""
        return self.items_folder / f"{review_id}.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the queue's lock: one writer at a time across processes."""
        self.items_folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, item: ReviewItem) -> None:
        """Write an item whole: a temporary file in the same folder, renamed over the item."""
        data = json.dumps(item.to_json(), indent=1, ensure_ascii=False).encode(
            "utf-8", errors="surrogateescape"
        )
        handle, temporary = tempfile.mkstemp(dir=self.items_folder, prefix=".item-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path(item.id))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def add(self, item: ReviewItem) -> tuple[str, bool]:
        """Queue an item; an identical diff under the same rubric is kept once. (id, added)."""
        with self._locked():
            if self.path(item.id).exists():
                return item.id, False
            self._write(item)
            return item.id, True

    def get(self, review_id: str) -> ReviewItem:
        """One item by id or a unique prefix of it; ReviewError when none or several match."""
        exact = self.path(review_id)
        if not exact.exists():
            matches = [i for i in self.ids() if i.startswith(review_id)] if review_id else []
            if len(matches) != 1:
                why = "is ambiguous" if matches else "is not in the review queue"
                hint = "; `rubric review list` shows the ids"
                raise ReviewError(f"review item '{review_id}' {why}{hint}")
            exact = self.path(matches[0])
        try:
            return ReviewItem.from_json(json.loads(exact.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ReviewError(f"review item '{review_id}' cannot be read: {error}") from None

    def ids(self) -> list[str]:
        """The ids of every queued item, sorted."""
        if not self.items_folder.is_dir():
            return []
        return sorted(p.stem for p in self.items_folder.glob("*.json"))

    def items(self) -> list[ReviewItem]:
        """Every readable item, oldest first."""
        found = []
        for review_id in self.ids():
            with contextlib.suppress(ReviewError):
                found.append(self.get(review_id))
        return sorted(found, key=lambda item: (item.queued, item.id))

    def label(self, review_id: str, label: Label) -> ReviewItem:
        """Append a label to an item's history and return the item as stored."""
        with self._locked():
            item = self.get(review_id)
            labelled = replace(item, labels=(*item.labels, label))
            self._write(labelled)
            return labelled
