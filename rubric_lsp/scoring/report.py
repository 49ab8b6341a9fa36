"""Score results as JSON, SARIF 2.1.0, Markdown or rubric DSL blocks (text: commands/score)."""

from __future__ import annotations

import json
import re
from typing import Any

from rubric_lsp import __version__
from rubric_lsp.language.checks import BUILTIN_CHECKS
from rubric_lsp.language.model import quote
from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.engine import CriterionScore, ScoreResult, number

FORMATS = ("text", "json", "sarif", "markdown", "rubric")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def verdict(result: ScoreResult) -> str:
    """accepted, rejected or no accept_if; with the review flag."""
    word = {True: "accepted", False: "rejected", None: "no accept_if"}[result.accepted]
    return word + (" (needs review by a person)" if result.review else "")


def cell(value: float | None, digits: str = ".2f") -> str:
    """A score or points in a report's table; - when there is none."""
    return "-" if value is None else format(value, digits)


def comment(criterion: CriterionScore) -> str:
    """A criterion's comment in a report's table, with its status when not scored."""
    if criterion.status in ("scored", "unscored") and criterion.comment:
        return criterion.comment
    if criterion.status == "unscored":
        return "unscored"
    return f"{criterion.status}: {criterion.comment}"


def to_json(result: ScoreResult) -> str:
    """The JSON contract, indented."""
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False)


def _rule_id(criterion: CriterionScore, finding: Finding) -> str:
    return f"{criterion.name}/{finding.code}"


def to_sarif(result: ScoreResult) -> dict[str, Any]:
    """Findings that cost points as SARIF 2.1.0 results, for code-scanning upload."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for criterion in result.criteria.values():
        for finding in criterion.findings:
            rule_id = _rule_id(criterion, finding)
            if rule_id not in rules:
                check = criterion.check or "manual"
                rules[rule_id] = {
                    "id": rule_id,
                    "name": finding.symbol or finding.code,
                    "shortDescription": {"text": f"{criterion.name}: {finding.label}"},
                    "fullDescription": {"text": BUILTIN_CHECKS.get(check, check)},
                    "properties": {"criterion": criterion.name, "check": check},
                }
            region: dict[str, Any] = {"startLine": max(finding.line, 1)}
            region["startColumn"] = finding.column + 1
            if finding.end_line and finding.end_line >= finding.line:
                region["endLine"] = finding.end_line
                if finding.end_column is not None and (
                    finding.end_line > finding.line or finding.end_column > finding.column
                ):
                    region["endColumn"] = finding.end_column + 1
            results.append(
                {
                    "ruleId": rule_id,
                    "level": _SARIF_LEVEL[finding.severity],
                    "message": {
                        "text": f"{finding.message} ({criterion.name}, "
                        f"-{finding.penalty:.2f} of its score)"
                    },
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {
                                    "uri": finding.path,
                                    "uriBaseId": "%SRCROOT%",
                                },
                                "region": region,
                            }
                        }
                    ],
                    "properties": {"criterion": criterion.name, "penalty": finding.penalty},
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rubric",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/rubric-lsp/",
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "properties": {
                    "final_score": result.final_score,
                    "accepted": result.accepted,
                    "review": result.review,
                },
            }
        ],
    }


# Characters that start Markdown syntax (emphasis, links, code, tables, headings, images).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
# Control characters (terminal escape sequences among them) never reach a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """Text from the change without control characters (no terminal escape sequences)."""
    return _CONTROL.sub("\ufffd", text)


def _md(text: str) -> str:
    """Text from the change shown literally in Markdown: no HTML, no markup, one line."""
    text = plain(text).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = text.replace("&", "&amp;")
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;"}.get(m[1], "\\" + m[1]), text)


def _code(text: str) -> str:
    """Text as a Markdown code span, whatever backticks it holds."""
    text = plain(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_markdown(result: ScoreResult) -> str:
    """A PR comment: the table, the verdict and the reasons for weak criteria."""
    final = cell(result.final_score)
    lines = [
        f"### rubric score: {verdict(result)} (weighted {final}, "
        f"total {number(result.evaluation.total)}/{number(result.evaluation.max_total)})",
        "",
        "| criterion | weight | score | points | comment |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for c in result.criteria.values():
        lines.append(
            f"| {c.name} | {c.weight:g} | {cell(c.score)} | {cell(c.points, '.1f')} "
            f"| {_md(comment(c))} |"
        )
    failed = result.failed_rules
    if failed:
        lines += ["", "Failed rules: " + ", ".join(_code(rule) for rule in failed)]
    detailed = [c for c in result.criteria.values() if len(c.steps) > 1]
    for c in detailed:
        lines += ["", "<details><summary>" + _md(f"{c.name}: {comment(c)}") + "</summary>", ""]
        lines += [f"- {_md(step)}" for step in c.steps]
        for finding in c.findings[:20]:
            lines.append(
                f"- {_code(f'{finding.path}:{finding.line}')} {_md(finding.label)}: "
                f"{_md(finding.message)}"
            )
        lines += ["", "</details>"]
    base = result.base[:12] if result.base else "the empty tree"
    lines += [
        "",
        f"<sub>{len(result.changed_files)} changed file(s) against {base}; "
        f"rubric: {_md(result.rubric_origin)}</sub>",
    ]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    """Strings in the DSL cannot span lines."""
    return " ".join(text.split())


def score_block(result: ScoreResult) -> str:
    """A ``score`` block of the measured points."""
    lines = ["score {"]
    for c in result.criteria.values():
        if c.source == "measured" and c.points is not None:
            lines.append(f"  {c.name} {round(c.points, 1):g} {quote(_one_line(c.comment))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def critique_block(result: ScoreResult) -> str | None:
    """A ``critique`` block revising the criteria below the threshold; None when none are."""
    if not result.weak:
        return None
    lines = ["critique {"]
    for c in result.weak:
        advice = c.comment
        if c.findings:
            first = c.findings[0]
            where = f"{first.path}:{first.line}"
            if first.message in c.comment:
                advice = f"{c.comment} (first at {where})"
            else:
                advice = f"{c.comment}; first: {where} {first.message}"
        lines.append(f"  revise {c.name} {quote(_one_line(advice))}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_rubric(result: ScoreResult) -> str:
    """A ``score`` block of the measured points and a ``critique`` for the weakest criteria."""
    critique = critique_block(result)
    return score_block(result) + ("\n" + critique if critique else "")


def render(result: ScoreResult, output_format: str) -> str:
    """The result in one of the formats but text, which `rubric score` prints itself."""
    if output_format == "json":
        return to_json(result) + "\n"
    if output_format == "sarif":
        return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return to_markdown(result)
    if output_format == "rubric":
        return to_rubric(result)
    raise ValueError(f"no renderer for the {output_format!r} format")
