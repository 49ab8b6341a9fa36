"""What a scoring result looks like in an editor: diagnostics, hints, lenses, hover text."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from rubric_lsp.language.evaluate import hand_scores, points_label
from rubric_lsp.language.lines import split_lines
from rubric_lsp.language.model import Block, Criterion, Document, Position, ScoreEntry
from rubric_lsp.lsp.convert import Codec
from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.engine import CriterionScore, ScoreResult
from rubric_lsp.scoring.report import critique_block, score_block, verdict

# Diagnostics a scoring run publishes are kept under this store key, so a run clears
# its own without touching the syntax and validation diagnostics of a rubric.
SCORE_SOURCE = "rubric-score"
# What clients show as the diagnostic's source, for both kinds.
DISPLAY_SOURCE = "rubric"
# A hand score this far (in points) from the measurement is called out.
SELF_GRADE_GAP = 2.0

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
}

LineReader = Callable[[Path], list[str] | None]


def read_lines(path: Path) -> list[str] | None:
    """A regular file's lines as the editor counts them, or None when it is not read."""
    try:
        # A FIFO or device would block the open or never end: only regular files are read.
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as stream:
            data = stream.read()
    except OSError:
        return None
    return split_lines(data.decode("utf-8", errors="replace"))


def _finding_range(finding: Finding, lines: list[str] | None, codec: Codec) -> types.Range:
    """The finding's place in the client's columns; without an end, the rest of its line."""
    lines = lines or []
    line = max(0, finding.line - 1)
    start = codec.position(lines, line, finding.column)
    if finding.end_line is not None and finding.end_column is not None:
        end = codec.position(lines, max(line, finding.end_line - 1), finding.end_column)
        if (end.line, end.character) > (start.line, start.character):
            return types.Range(start, end)
    text = lines[line] if line < len(lines) else ""
    end = codec.position(lines, line, len(text.rstrip())) if text.strip() else start
    # start.line: ``line`` may lie past the end of a file changed since the run.
    return types.Range(start, types.Position(start.line, max(start.character, end.character)))


def finding_message(criterion: CriterionScore, finding: Finding) -> str:
    """The diagnostic text: what the tool said, and what it cost which criterion."""
    score = "" if criterion.score is None else f"; {criterion.name} scores {criterion.score:.2f}"
    return f"{finding.message} ({criterion.name} -{finding.penalty:.2f}{score})"


def finding_diagnostics(
    result: ScoreResult, root: Path, codec: Codec, reader: LineReader = read_lines
) -> dict[str, list[types.Diagnostic]]:
    """Every finding that cost points, as diagnostics by file URI."""
    by_uri: dict[str, list[types.Diagnostic]] = {}
    lines_of: dict[Path, list[str] | None] = {}
    for criterion in result.criteria.values():
        for finding in criterion.findings:
            if finding.penalty <= 0:
                continue
            path = (root / finding.path).resolve()
            if path not in lines_of:
                lines_of[path] = reader(path)
            by_uri.setdefault(path.as_uri(), []).append(
                types.Diagnostic(
                    range=_finding_range(finding, lines_of[path], codec),
                    message=finding_message(criterion, finding),
                    severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Information),
                    code=f"{criterion.name}/{finding.code}",
                    source=DISPLAY_SOURCE,
                )
            )
    for items in by_uri.values():
        items.sort(key=lambda d: (d.range.start.line, d.range.start.character))
    return by_uri


@dataclass(frozen=True)
class RubricPlaces:
    """Where things stand in the rubric as it is now, in the client's columns."""

    lines: list[str]
    codec: Codec

    def range(self, start: Position, end: Position) -> types.Range:
        """A model range (code points) in the client's columns."""
        return self.codec.range(self.lines, start, end)

    def position(self, at: Position) -> types.Position:
        """A model position in the client's columns."""
        return self.codec.position(self.lines, at.line, at.character)


def _definitions(document: Document) -> dict[str, Criterion]:
    found: dict[str, Criterion] = {}
    for criterion in document.criteria:
        found.setdefault(criterion.name.text, criterion)
    return found


def inlay_label(criterion: CriterionScore, scale: tuple[float, float]) -> str:
    """``4.0/5 · 0.80`` for a measured or hand score, else the status."""
    if criterion.score is None or criterion.points is None:
        return criterion.status
    return f"{points_label(criterion.points, scale)} · {criterion.score:.2f}"


def inlay_hints(result: ScoreResult, document: Document, codec: Codec) -> list[types.InlayHint]:
    """The measured score at the end of each criterion's definition."""
    places = RubricPlaces(document.lines, codec)
    hints: list[types.InlayHint] = []
    for name, definition in _definitions(document).items():
        criterion = result.criteria.get(name)
        if criterion is None:
            continue
        hints.append(
            types.InlayHint(
                position=places.position(definition.range.end),
                label=inlay_label(criterion, document.scale),
                kind=types.InlayHintKind.Parameter,
                padding_left=True,
                tooltip=criterion.comment or None,
            )
        )
    return hints


def _accept_block(document: Document) -> Block | None:
    return document.first("accept_if")


def verdict_text(result: ScoreResult) -> str:
    """accepted / rejected with the failed rules / needs review, and the weighted score."""
    final = "-" if result.final_score is None else f"{result.final_score:.2f}"
    text = f"{verdict(result)} · weighted {final}"
    if result.failed_rules:
        text += " · failed: " + ", ".join(result.failed_rules)
    return text


def rubric_diagnostics(
    result: ScoreResult, document: Document, codec: Codec
) -> list[types.Diagnostic]:
    """Weak criteria, failed checks, self-grades far from measurement, and the verdict."""
    places = RubricPlaces(document.lines, codec)
    definitions = _definitions(document)
    items: list[types.Diagnostic] = []

    def add(rng: types.Range, severity: types.DiagnosticSeverity, code: str, text: str) -> None:
        items.append(
            types.Diagnostic(
                range=rng, message=text, severity=severity, code=code, source=DISPLAY_SOURCE
            )
        )

    for name, criterion in result.criteria.items():
        definition = definitions.get(name)
        if definition is None:
            continue
        where = places.range(definition.name.range.start, definition.name.range.end)
        if criterion.status == "error":
            add(
                where,
                types.DiagnosticSeverity.Warning,
                "check-error",
                f"{name}: the {criterion.check} check failed: {criterion.comment}",
            )
        elif (
            criterion.source == "measured"
            and criterion.score is not None
            and criterion.score < result.heal_threshold
        ):
            add(
                where,
                types.DiagnosticSeverity.Warning,
                "below-threshold",
                f"{name} scores {criterion.score:.2f} (below {result.heal_threshold:g}): "
                f"{criterion.comment}",
            )
    for name, entry in hand_scores(document).items():
        items.extend(_self_grade(result.criteria.get(name), entry, places))
    block = _accept_block(document)
    if block is not None and result.evaluation.verdict != "no accept_if":
        severity = (
            types.DiagnosticSeverity.Information
            if result.accepted and not result.review
            else types.DiagnosticSeverity.Warning
        )
        add(
            places.range(block.keyword.range.start, block.keyword.range.end),
            severity,
            "verdict",
            verdict_text(result),
        )
    return items


def _self_grade(
    criterion: CriterionScore | None, entry: ScoreEntry, places: RubricPlaces
) -> list[types.Diagnostic]:
    """A warning where a hand score is far from what a critic measured."""
    hand = entry.points.number
    if criterion is None or criterion.source != "measured" or criterion.points is None:
        return []
    if hand is None or abs(hand - criterion.points) < SELF_GRADE_GAP:
        return []
    return [
        types.Diagnostic(
            range=places.range(entry.range.start, entry.range.end),
            message=(
                f"self-grade {entry.points.raw}, measured {criterion.points:.1f}: "
                f"{criterion.comment}"
            ),
            severity=types.DiagnosticSeverity.Warning,
            code="self-grade",
            source=DISPLAY_SOURCE,
        )
    ]


def code_lenses(
    result: ScoreResult | None, document: Document, running: bool, codec: Codec
) -> list[types.CodeLens]:
    """The verdict over accept_if (or the rubric), with a command to score again."""
    places = RubricPlaces(document.lines, codec)
    anchor = _accept_block(document) or document.first("reward_rubric")
    if anchor is None:
        return []
    where = places.range(anchor.keyword.range.start, anchor.keyword.range.end)
    if running:
        title = "rubric: scoring…"
    elif result is None:
        title = "rubric: score the change"
    else:
        title = f"rubric: {verdict_text(result)} · score again"
    return [types.CodeLens(range=where, command=types.Command(title=title, command="rubric.score"))]


def hover_markdown(result: ScoreResult, name: str, root: Path) -> str | None:
    """A criterion's measured score, reasoning steps and findings with links."""
    criterion = result.criteria.get(name)
    if criterion is None:
        return None
    if criterion.score is None:
        head = f"**Measured:** {criterion.status}"
    else:
        head = (
            f"**Measured:** {criterion.score:.2f} ({criterion.points:.1f} points, "
            f"{criterion.source}{' by ' + criterion.check if criterion.check else ''})"
        )
    parts = [head]
    if criterion.comment:
        parts.append(criterion.comment)
    if criterion.steps:
        parts.append("\n".join(criterion.steps))  # numbered by the critic already
    costly = [f for f in criterion.findings if f.penalty > 0]
    if costly:
        links = []
        for finding in costly[:10]:
            uri = (root / finding.path).resolve().as_uri()
            links.append(
                f"- [{finding.path}:{finding.line}]({uri}#L{finding.line}) "
                f"`{finding.code}` {finding.message} (-{finding.penalty:.2f})"
            )
        if len(costly) > 10:
            links.append(f"- … and {len(costly) - 10} more")
        parts.append("\n".join(links))
    if criterion.source == "measured":
        parts.append(f"Python: `{result.python.describe()}`")
    return "\n\n".join(parts)


def measured_blocks(result: ScoreResult) -> tuple[str, str | None]:
    """The measured ``score`` block and, when some criterion is weak, a ``critique`` block."""
    return score_block(result), critique_block(result)
