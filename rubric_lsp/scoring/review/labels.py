"""A label is a hand score block: people's points checked as the language checks ``score``.

The editor opens an item as a rubric document, the queued rubric followed by a ``score``
block pre-filled with the measured points; the command line's ``NAME=POINTS`` pairs become
the same block. Either way the points are validated by ``language.validate`` (undefined
criteria with "did you mean", points outside the scale) and read from that block.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from rubric_lsp.language.model import Block, ScoreEntry, Severity, quote
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring.gitrepo import git
from rubric_lsp.scoring.result import number
from rubric_lsp.scoring.review.queue import Label, ReviewError, ReviewItem, now

# The first line of a review document: the server and the CLI find the item's id in it.
HEADER = "# rubric review {id}: your points in the last score block; saving records them."


def prefilled_comment(data: dict[str, object]) -> str:
    """What a pre-filled entry says: the measured comment, or why there is no score."""
    # One line: a rubric string cannot span lines, and a comment left as it was is no note.
    comment = " ".join(str(data.get("comment") or "").split())
    return comment or f"measured: {data.get('status', 'unscored')}"


def review_document(item: ReviewItem) -> str:
    """The item as a rubric document whose last score block holds the measured points."""
    low, _ = item.scale
    lines = [HEADER.format(id=item.id)]
    final = "-" if item.final_score is None else number(item.final_score)
    lines.append(f"# weighted {final}, verdict {item.verdict}; `rubric review show {item.id}`")
    lines += [item.rubric_text.rstrip("\n"), "", "score {"]
    for name, data in item.criteria.items():
        points = data.get("points")
        # An unmeasured criterion starts at the scale's low end: the person decides.
        shown = float(points) if isinstance(points, (int, float)) else low
        lines.append(f"  {name} {number(shown)} {quote(prefilled_comment(data))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def item_id_of(text: str) -> str | None:
    """The review id a review document's first line names, if it is one."""
    first = text.split("\n", 1)[0]
    prefix, _, rest = HEADER.partition("{id}")
    if first.startswith(prefix) and rest.split(":")[0] == "":
        return first[len(prefix) :].split(":", 1)[0].strip() or None
    return None


def _label_block(text: str) -> tuple[Block, list[str]]:
    """The document's last score block and the errors validation finds in it."""
    document = parse(text)
    scores = document.blocks_of("score")
    if not scores:
        raise ReviewError("no score block: write your points as 'score { NAME POINTS }'")
    block = scores[-1]
    start = block.range.start
    errors = [
        d.message
        for d in validate(document)
        if d.severity == Severity.ERROR and d.range.start >= start
    ]
    return block, errors


def points_from_document(item: ReviewItem, text: str) -> tuple[dict[str, float], str]:
    """The points of a review document's last score block, and a note from changed comments."""
    block, errors = _label_block(text)
    if errors:
        raise ReviewError(errors[0])
    points: dict[str, float] = {}
    notes: list[str] = []
    for entry in block.entries_of(ScoreEntry):
        if entry.points.number is None:
            continue
        name = entry.name.text
        points[name] = entry.points.number
        comment = entry.comment.text if entry.comment is not None else ""
        measured = item.criteria.get(name)
        if comment and (measured is None or comment != prefilled_comment(measured)):
            notes.append(f"{name}: {comment}")
    if not points:
        raise ReviewError("the score block gives no points")
    return points, "; ".join(notes)


def points_from_pairs(item: ReviewItem, pairs: Sequence[str]) -> dict[str, float]:
    """``NAME=POINTS`` pairs checked as the score block they stand for."""
    entries = []
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise ReviewError(f"'{pair}': write NAME=POINTS, e.g. correctness=4")
        try:
            value = float(raw)
        except ValueError:
            raise ReviewError(f"'{pair}': points must be a number, not '{raw}'") from None
        if not math.isfinite(value):
            raise ReviewError(f"'{pair}': points must be a finite number")
        entries.append(f"  {name} {raw}")
    if not entries:
        raise ReviewError("give at least one NAME=POINTS")
    text = item.rubric_text.rstrip("\n") + "\n\nscore {\n" + "\n".join(entries) + "\n}\n"
    points, _ = points_from_document(item, text)
    return points


async def who(root: Path) -> tuple[str, str]:
    """git's user.name and user.email for this repository; ReviewError when neither is set."""
    found = []
    for key in ("user.name", "user.email"):
        done = await git(root, "config", "--get", key, check=False)
        found.append(done.text.strip() if done.returncode == 0 else "")
    if not any(found):
        raise ReviewError(
            "who is labelling? set git config user.name and user.email (a label keeps them)"
        )
    return found[0], found[1]


def make_label(
    points: dict[str, float], person: tuple[str, str], note: str = "", via: str = "cli"
) -> Label:
    """A label given now by ``person`` (name, email)."""
    return Label(points=points, name=person[0], email=person[1], when=now(), note=note, via=via)
