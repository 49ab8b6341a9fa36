"""A rubric as the instructions a coding agent reads before it starts: pure, deterministic.

The same rubric always gives the same bytes (an agent's prompt cache depends on it): nothing
here reads the clock, the environment or the file system.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from rubric_lsp.agents import measures
from rubric_lsp.language.checks import bound_check
from rubric_lsp.language.evaluate import rule_text, to_score
from rubric_lsp.language.model import (
    CheckConfig,
    Criterion,
    CritiqueEntry,
    Document,
    Rule,
    TaskField,
)
from rubric_lsp.language.vocabulary import rules_of

PromptFormat = Literal["markdown", "text", "json"]
FORMATS: tuple[PromptFormat, ...] = ("markdown", "text", "json")


@dataclass(frozen=True)
class CriterionBrief:
    """One criterion as an agent needs it: its weight, what it asks, how it is measured."""

    name: str
    weight: float
    share: float
    describe: str
    check: str | None
    measured_by: str
    score: str
    command: str
    runs_project_code: bool
    enabled: bool


@dataclass(frozen=True)
class RuleBrief:
    """One accept_if or review_if rule as written and in words."""

    rule: str
    words: str


@dataclass(frozen=True)
class Revision:
    """One ``revise NAME "..."`` entry of the latest critique block."""

    criterion: str
    advice: str


@dataclass(frozen=True)
class AgentPrompt:
    """Everything the prompt says, in the order it says it."""

    rubric: str
    title: str
    objective: str
    constraints: tuple[str, ...]
    scale: tuple[float, float]
    criteria: tuple[CriterionBrief, ...]
    accept_if: tuple[RuleBrief, ...]
    review_if: tuple[RuleBrief, ...]
    critique: tuple[Revision, ...] | None

    def to_json(self) -> dict[str, Any]:
        """The prompt as data; ``critique`` is null unless it was asked for."""
        data = asdict(self)
        data["scale"] = list(self.scale)
        return data


def _number(value: float) -> str:
    """Whole numbers without a decimal point, others with up to two places."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _check_settings(document: Document) -> dict[str, CheckConfig]:
    """The checks block's entries by check name; a repeated one's later entry wins."""
    block = document.first("checks")
    return {entry.name.text: entry for entry in block.entries_of(CheckConfig)} if block else {}


def _criteria(document: Document) -> tuple[CriterionBrief, ...]:
    settings = _check_settings(document)
    # The first definition of a name counts, as in scoring.
    first: dict[str, Criterion] = {}
    for criterion in document.criteria:
        first.setdefault(criterion.name.text, criterion)
    unique = list(first.values())
    total_weight = sum(c.weight for c in unique) or 1.0
    briefs = []
    for criterion in unique:
        check = bound_check(criterion)
        config = settings.get(check) if check else None
        command = config.attribute("command") if config else None
        enabled = config.attribute("enabled") if config else None
        briefs.append(
            CriterionBrief(
                name=criterion.name.text,
                weight=criterion.weight,
                share=round(criterion.weight / total_weight, 4),
                describe=criterion.describe,
                check=check,
                measured_by=measures.summary(check),
                score=measures.cost(check),
                command=command.value.text if command else "",
                runs_project_code=measures.executes_code(check),
                enabled=not (enabled and enabled.value.text == "false"),
            )
        )
    return tuple(briefs)


def rule_words(rule: Rule, block: str, scale: tuple[float, float], criteria: int) -> str:
    """What a rule asks for, in words; an unknown rule says so (validation explains it)."""
    spec = rules_of(block).get(rule.keyword.text)
    numbers = [value.number for value in rule.arguments]
    if spec is None or not numbers or any(n is None for n in numbers):
        return "a rule this version does not understand"
    values = [n for n in numbers if n is not None]
    low, high = scale
    if spec.compare == "between":
        bounds = f"{_number(values[0])} and {_number(values[-1])}"
        return f"the weighted score lies between {bounds}"
    limit = values[0]
    if spec.measure == "total":
        most = _number(high * criteria)
        return f"the points of all criteria add up to at least {_number(limit)} of {most}"
    if spec.measure == "weighted":
        return f"the weighted score is at least {_number(limit)}"
    name = rule.target.text if rule.target else "?"
    share = f"{to_score(limit, scale):.2f}"
    return (
        f"{name} has at least {_number(limit)} points on {_number(low)}..{_number(high)} "
        f"(a score of {share}); unscored, it fails; left in error or skipped by its check, "
        "the rule is undecided"
    )


def _rules(document: Document, block: Literal["accept_if", "review_if"]) -> tuple[RuleBrief, ...]:
    found = document.first(block)
    if found is None:
        return ()
    count = len({c.name.text for c in document.criteria})
    return tuple(
        RuleBrief(rule_text(rule), rule_words(rule, block, document.scale, count))
        for rule in found.entries_of(Rule)
    )


def latest_critique(document: Document) -> tuple[Revision, ...]:
    """The revisions of the last critique block; none when the rubric has no critique."""
    blocks = document.blocks_of("critique")
    if not blocks:
        return ()
    return tuple(
        Revision(entry.name.text, entry.comment.text if entry.comment else "")
        for entry in blocks[-1].entries_of(CritiqueEntry)
    )


def build(document: Document, rubric: str, with_critique: bool = False) -> AgentPrompt:
    """The prompt of a parsed rubric; ``rubric`` is how the prompt names the file."""
    task = document.first("task")
    fields = list(task.entries_of(TaskField)) if task else []

    def texts(key: str) -> list[str]:
        return [f.value.text for f in fields if f.key.text == key]

    return AgentPrompt(
        rubric=rubric,
        title=(texts("title") or [""])[-1],
        objective=(texts("objective") or [""])[-1],
        constraints=tuple(texts("constraints")),
        scale=document.scale,
        criteria=_criteria(document),
        accept_if=_rules(document, "accept_if"),
        review_if=_rules(document, "review_if"),
        critique=latest_critique(document) if with_critique else None,
    )


def render(prompt: AgentPrompt, output_format: PromptFormat) -> str:
    """The prompt as Markdown, plain text or JSON; always ends with one newline."""
    if output_format == "json":
        return json.dumps(prompt.to_json(), indent=2, ensure_ascii=False) + "\n"
    return "\n".join(render_lines(prompt, markdown=output_format == "markdown")) + "\n"


def _heading(text: str, level: int, markdown: bool) -> list[str]:
    if markdown:
        return ["#" * level + " " + text, ""]
    return [text, ("=" if level == 1 else "-") * len(text), ""]


def _code(text: str, markdown: bool) -> str:
    # A backtick inside would end a Markdown code span early: use a longer fence then.
    if not markdown:
        return text
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def _criterion_lines(brief: CriterionBrief, prompt: AgentPrompt, markdown: bool) -> list[str]:
    percent = f"{brief.share * 100:.0f}%"
    title = f"{brief.name} (weight {_number(brief.weight)}, {percent} of the weighted score)"
    lines = _heading(title, 3, markdown)
    if brief.describe:
        lines += [brief.describe, ""]
    bullet = "- "
    if brief.check is None:
        lines.append(bullet + "Scored by hand: " + brief.measured_by)
    else:
        lines.append(f"{bullet}Measured by {_code(brief.check, markdown)}: {brief.measured_by}")
        if brief.command:
            lines.append(f"{bullet}Command: {_code(brief.command, markdown)}")
        if brief.score:
            lines.append(f"{bullet}Score: {_code(brief.score, markdown)}")
        if brief.runs_project_code:
            lines.append(
                bullet + "Runs the project's code: only a trusted run measures it "
                "(an untrusted run skips it)."
            )
        if not brief.enabled:
            lines.append(bullet + "Turned off in the checks block: the hand score counts.")
    return [*lines, ""]


def _rule_lines(rules: tuple[RuleBrief, ...], markdown: bool) -> list[str]:
    return [f"- {_code(rule.rule, markdown)}: {rule.words}" for rule in rules] + [""]


def render_lines(prompt: AgentPrompt, markdown: bool) -> list[str]:
    """The prompt's lines, Markdown or plain text."""
    title = f"Rubric: {prompt.title}" if prompt.title else f"Rubric: {prompt.rubric}"
    lines = _heading(title, 1, markdown)
    lines += [
        f"Your change is measured against the rubric {_code(prompt.rubric, markdown)} when "
        "you finish: each criterion below is scored from 0 to 1 by the check named, from "
        "the diff against the base commit. Aim for every criterion, not only the heaviest.",
        "",
    ]
    if prompt.objective or prompt.constraints:
        lines += _heading("Task", 2, markdown)
        if prompt.objective:
            lines += [f"Objective: {prompt.objective}", ""]
        if prompt.constraints:
            lines += ["Constraints:", *[f"- {text}" for text in prompt.constraints], ""]
    lines += _heading("Criteria", 2, markdown)
    low, high = prompt.scale
    lines += [
        f"A criterion's points are its score on the {_number(low)}..{_number(high)} scale "
        f"({_number(high)} at a score of 1). The weighted score is Σ(weight · score) / Σ weight "
        "over the criteria that are scored; a criterion that cannot be measured is an error, "
        "never 0 or 1.",
        "",
    ]
    for brief in prompt.criteria:
        lines += _criterion_lines(brief, prompt, markdown)
    lines += _heading("Acceptance", 2, markdown)
    if prompt.accept_if:
        lines += ["The change is accepted when every rule holds:", ""]
        lines += _rule_lines(prompt.accept_if, markdown)
    else:
        lines += ["The rubric has no accept_if rules: every change is accepted.", ""]
    if prompt.review_if:
        lines += ["A person reviews the change when a rule holds:", ""]
        lines += _rule_lines(prompt.review_if, markdown)
    if prompt.critique is not None:
        lines += _heading("Critique to address", 2, markdown)
        if prompt.critique:
            lines += [
                f"- {_code(r.criterion, markdown)}: {r.advice or 'revise'}" for r in prompt.critique
            ]
        else:
            lines.append("The rubric has no critique block.")
        lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return lines
