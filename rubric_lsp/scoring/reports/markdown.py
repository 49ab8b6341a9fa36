"""The Markdown PR comment: everything from the change shown literally, under GitHub's limit."""

from __future__ import annotations

import html
import re

from rubric_lsp.scoring.engine import ScoreResult, number
from rubric_lsp.scoring.reports.common import cell, comment, plain, verdict

# GitHub refuses a comment (and a step summary) over 65,536 characters; the margin leaves room
# for the note that says what was left out.
GITHUB_LIMIT = 65_536
_BUDGET = GITHUB_LIMIT - 1_000
# One piece of text from the change (a comment, a step, a message) is cut to this many
# characters before escaping, which at most multiplies it by six (& → &amp;).
PIECE = 600
FINDINGS_SHOWN = 20
# Every ASCII punctuation character may start Markdown syntax: emphasis, links, code, tables,
# headings, lists, and GFM's autolinks (`http:`, `www.`) and strikethrough. CommonMark lets a
# backslash escape any of them.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "@&#8203;"}
_NUMBERED = re.compile(r"(\d+)\. (.*)", re.DOTALL)


def _cut(text: str) -> str:
    """Text from the change on one line, at most PIECE characters."""
    text = " ".join(plain(text).split())
    return text if len(text) <= PIECE else text[: PIECE - 1] + "…"


def md(text: str) -> str:
    """Text from the change shown literally in Markdown: no HTML, no markup, no links."""
    # An @ is followed by a zero-width space so that no name in it notifies anyone.
    return _PUNCTUATION.sub(lambda m: _ENTITY.get(m[1], "\\" + m[1]), _cut(text))


def code(text: str) -> str:
    """Text as a Markdown code span, whatever backticks it holds."""
    text = _cut(text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _summary(text: str) -> str:
    """Text inside <summary>: an HTML block, where Markdown is not read but HTML is."""
    return html.escape(_cut(text), quote=False)


def _step(step: str) -> str:
    """A reasoning step as an item of an ordered list, keeping its own number."""
    numbered = _NUMBERED.fullmatch(step)
    if numbered:
        return f"{numbered[1]}. {md(numbered[2])}"
    return f"- {md(step)}"


def _sections(result: ScoreResult) -> list[list[str]]:
    """A collapsible section of steps and findings for each criterion with reasons."""
    sections: list[list[str]] = []
    for c in result.criteria.values():
        if len(c.steps) <= 1:
            continue
        lines = ["", f"<details><summary>{_summary(f'{c.name}: {comment(c)}')}</summary>", ""]
        lines += [_step(step) for step in c.steps]
        if c.findings:
            lines.append("")
        for finding in c.findings[:FINDINGS_SHOWN]:
            lines.append(
                f"- {code(f'{finding.path}:{finding.line}')} {md(finding.label)}: "
                f"{md(finding.message)}"
            )
        if len(c.findings) > FINDINGS_SHOWN:
            lines.append(f"- and {len(c.findings) - FINDINGS_SHOWN} more finding(s)")
        lines += ["", "</details>"]
        sections.append(lines)
    return sections


def to_markdown(result: ScoreResult, rubric: str | None = None) -> str:
    """A PR comment: the table, the verdict and the reasons; ``rubric`` names the rubric."""
    final = cell(result.final_score)
    lines = [
        # The verdict names the undecided rules' reasons, which may quote the change.
        f"### rubric score: {md(verdict(result))} (weighted {final}, "
        f"total {number(result.evaluation.total)}/{number(result.evaluation.max_total)})",
        "",
        "| criterion | weight | score | points | comment |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for c in result.criteria.values():
        lines.append(
            f"| {md(c.name)} | {c.weight:g} | {cell(c.score)} | {cell(c.points, '.1f')} "
            f"| {md(comment(c))} |"
        )
    failed = result.failed_rules
    if failed:
        lines += ["", "Failed rules: " + ", ".join(code(rule) for rule in failed)]
    base = result.base[:12] if result.base else "the empty tree"
    footer = [
        "",
        f"<sub>{len(result.changed_files)} changed file(s) against {base}; "
        f"rubric: {_summary(rubric or result.rubric_origin)}</sub>",
    ]
    size = sum(len(line) + 1 for line in [*lines, *footer])
    sections = _sections(result)
    for shown, section in enumerate(sections):
        length = sum(len(line) + 1 for line in section)
        if size + length > _BUDGET:
            left = len(sections) - shown
            lines += [
                "",
                f"_{left} more section(s) of reasons left out to stay under GitHub's "
                f"{GITHUB_LIMIT:,}-character limit: `rubric score --format json` has them all._",
            ]
            break
        lines += section
        size += length
    return "\n".join([*lines, *footer]) + "\n"
