"""What the judge is sent: the task, the judged criteria, the measured evidence and the diff."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from rubric_lsp.language.model import Document, TaskField
from rubric_lsp.scoring.critic import CriticResult
from rubric_lsp.scoring.diff import ChangeSet, diff_text

# The diff is bounded so a small local model's context holds it; the largest hunks go first.
MAX_DIFF_CHARS = 24_000
# Evidence is bounded the same way: a few reasons and findings per check.
MAX_REASONS = 6
MAX_FINDINGS = 20
# The same reply for the same prompt: greedy decoding and a fixed seed.
SEED = 12345

SYSTEM = (
    "You review a code change for the criteria you are given, each on the rubric's scale. "
    "Reason only from the diff and the measured evidence below. For each criterion give "
    "short numbered reasoning steps, the points, and citations: path:line inside the diff, "
    "or the id of a finding (F1, F2, ...). Reply with JSON matching the schema, nothing else."
)


@dataclass(frozen=True)
class JudgedCriterion:
    """A criterion the judge scores: its name and what a good change does for it."""

    name: str
    describe: str


@dataclass
class Diff:
    """The diff as sent, and the new-side lines it shows (what a citation may point at)."""

    text: str
    shown: dict[str, set[int]] = field(default_factory=dict)
    cut: int = 0


@dataclass(frozen=True)
class _Hunk:
    path: str
    text: str
    first: int
    length: int


async def read_diff(changes: ChangeSet, limit: int = MAX_DIFF_CHARS) -> Diff:
    """The change as a unified diff, new files included, cut to ``limit`` characters."""
    hunks: list[_Hunk] = []
    headers: dict[str, str] = {}
    readable = [f for f in changes.files if not f.binary and not f.skipped]
    in_diff: set[str] = set()
    if changes.base is not None:
        leave_out = [f.path for f in changes.files if f.skipped]
        text = await diff_text(changes.work_dir, changes.base, leave_out=leave_out)
        try:
            patch = PatchSet(text)
        except UnidiffParseError:
            patch = PatchSet("")
        for patched in patch:
            path = patched.path
            in_diff.add(path)
            headers[path] = f"--- a/{patched.source_file[2:]}\n+++ b/{path}\n"
            for hunk in patched:
                hunks.append(_Hunk(path, str(hunk), hunk.target_start, hunk.target_length))
    new_files = [f.path for f in readable if f.wholly_added and f.path not in in_diff]
    # Reading new files (a large log, a data set) must not stall an event loop.
    for path, lines in await asyncio.to_thread(_read_all, changes, new_files):
        headers[path] = f"--- /dev/null\n+++ b/{path}\n"
        body = "".join(f"+{line}\n" for line in lines)
        hunks.append(_Hunk(path, f"@@ -0,0 +1,{len(lines)} @@\n{body}", 1, len(lines)))
    return _bounded(hunks, headers, limit)


def _read_all(changes: ChangeSet, paths: Sequence[str]) -> list[tuple[str, list[str]]]:
    return [(path, changes.read(path).splitlines()) for path in paths]


def _bounded(hunks: list[_Hunk], headers: Mapping[str, str], limit: int) -> Diff:
    """Cut the largest hunks, each to a note, until the whole fits in ``limit``."""
    texts = [hunk.text for hunk in hunks]
    cut: set[int] = set()
    by_size = sorted(range(len(hunks)), key=lambda i: -len(texts[i]))
    for index in by_size:
        if sum(len(t) for t in texts) + sum(map(len, headers.values())) <= limit:
            break
        first_line = texts[index].split("\n", 1)[0]
        lines = texts[index].count("\n")
        texts[index] = f"{first_line}\n[{lines} lines cut: the diff is longer than is sent]\n"
        cut.add(index)
    diff = Diff("", cut=len(cut))
    parts: list[str] = []
    seen: set[str] = set()
    for index, hunk in enumerate(hunks):
        if hunk.path not in seen:
            seen.add(hunk.path)
            parts.append(headers[hunk.path])
        parts.append(texts[index])
        if index not in cut:
            shown = diff.shown.setdefault(hunk.path, set())
            shown.update(range(hunk.first, hunk.first + hunk.length))
    diff.text = "".join(parts)
    return diff


def evidence(
    results: Mapping[str, CriticResult], bound: Mapping[str, Sequence[str]]
) -> tuple[str, set[str]]:
    """What the measured checks found, as text, and the finding ids it names."""
    lines: list[str] = []
    ids: set[str] = set()
    for check, result in results.items():
        criteria = ", ".join(bound.get(check, ())) or check
        score = "" if result.score is None else f", score {result.score:.2f} of 1"
        lines.append(f"- {check} (measures {criteria}): {result.status}{score}: {result.summary}")
        lines += [f"  - {reason}" for reason in result.reasons[:MAX_REASONS]]
        for finding in result.findings[:MAX_FINDINGS]:
            ids.add(finding_id := f"F{len(ids) + 1}")
            lines.append(
                f"  - {finding_id} {finding.path}:{finding.line} {finding.label}: {finding.message}"
            )
        if len(result.findings) > MAX_FINDINGS:
            lines.append(f"  - and {len(result.findings) - MAX_FINDINGS} more finding(s)")
    return ("\n".join(lines) or "No measured check ran."), ids


def task_text(document: Document) -> str:
    """The task block's fields, one per line."""
    block = document.first("task")
    if block is None:
        return "No task block."
    lines = [f"{entry.key.text}: {entry.value.text}" for entry in block.entries_of(TaskField)]
    return "\n".join(lines) or "No task block."


def reply_schema(names: Sequence[str], scale: tuple[float, float]) -> dict[str, Any]:
    """The JSON schema of a reply: per criterion, its steps, points and citations."""
    low, high = scale
    verdict = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "steps", "points", "citations"],
        "properties": {
            "name": {"type": "string", "enum": list(names)},
            "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "points": {"type": "number", "minimum": low, "maximum": high},
            "citations": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["criteria"],
        "properties": {"criteria": {"type": "array", "items": verdict}},
    }


def messages(
    document: Document, criteria: Sequence[JudgedCriterion], found: str, diff: Diff
) -> list[dict[str, str]]:
    """The chat messages of the one request: the system rules, then everything to judge."""
    low, high = document.scale
    listed = "\n".join(
        f"- {c.name}: {c.describe or 'no description given; judge by the name'}" for c in criteria
    )
    note = f" ({diff.cut} hunk(s) cut to keep it short)" if diff.cut else ""
    user = (
        f"## Task\n{task_text(document)}\n\n"
        f"## Criteria (points from {low:g} to {high:g}, {high:g} is best)\n{listed}\n\n"
        f"## Measured evidence\n{found}\n\n"
        f"## Diff{note}\n```diff\n{diff.text}```\n"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
