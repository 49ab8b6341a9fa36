"""`rubric diff A.json B.json`: score deltas, findings fixed and new, rules flipped."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rubric_lsp.commands.output import print_error
from rubric_lsp.scoring.reports.common import plain
from rubric_lsp.scoring.reports.markdown import code, md

COMMAND = "diff"
FORMATS = ("text", "json", "markdown")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class CriterionDelta:
    """One criterion's score before and after."""

    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """after minus before, when both are scored."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)


@dataclass(frozen=True)
class FindingKey:
    """A finding without its position: the same problem after lines moved."""

    criterion: str
    path: str
    code: str
    message: str


@dataclass
class ReportDiff:
    """What changed from report A to report B."""

    criteria: list[CriterionDelta] = field(default_factory=list)
    fixed: list[FindingKey] = field(default_factory=list)
    introduced: list[FindingKey] = field(default_factory=list)
    # (rule, passed in A, passed in B) for the rules whose outcome changed.
    flipped: list[tuple[str, bool | None, bool | None]] = field(default_factory=list)
    final: tuple[float | None, float | None] = (None, None)
    accepted: tuple[bool | None, bool | None] = (None, None)

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON."""
        return {
            "final_score": {"before": self.final[0], "after": self.final[1]},
            "accepted": {"before": self.accepted[0], "after": self.accepted[1]},
            "criteria": {
                c.name: {"before": c.before, "after": c.after, "delta": c.delta}
                for c in self.criteria
            },
            "fixed": [vars(key) for key in self.fixed],
            "introduced": [vars(key) for key in self.introduced],
            "rules_flipped": [
                {"rule": rule, "before": before, "after": after}
                for rule, before, after in self.flipped
            ],
        }


def _keys(report: dict[str, Any]) -> Counter[FindingKey]:
    """The report's findings, counted, by what they are rather than where."""
    keys: Counter[FindingKey] = Counter()
    for name, criterion in report.get("criteria", {}).items():
        for finding in criterion.get("findings", []):
            message = _DIGITS.sub("N", str(finding.get("message", "")))
            keys[FindingKey(name, str(finding["path"]), str(finding["code"]), message)] += 1
    return keys


def compare(before: dict[str, Any], after: dict[str, Any]) -> ReportDiff:
    """The differences between two `rubric score --format json` reports."""
    diff = ReportDiff()
    names = list(before.get("criteria", {}))
    names += [n for n in after.get("criteria", {}) if n not in names]
    for name in names:
        a = before.get("criteria", {}).get(name, {})
        b = after.get("criteria", {}).get(name, {})
        diff.criteria.append(CriterionDelta(name, a.get("score"), b.get("score")))
    old, new = _keys(before), _keys(after)
    diff.fixed = sorted((old - new).elements(), key=vars_key)
    diff.introduced = sorted((new - old).elements(), key=vars_key)
    rules_a = {r["rule"]: r["passed"] for r in before.get("rules", [])}
    rules_b = {r["rule"]: r["passed"] for r in after.get("rules", [])}
    for rule in [*rules_a, *(r for r in rules_b if r not in rules_a)]:
        if rules_a.get(rule) != rules_b.get(rule):
            diff.flipped.append((rule, rules_a.get(rule), rules_b.get(rule)))
    diff.final = (before.get("final_score"), after.get("final_score"))
    diff.accepted = (before.get("accepted"), after.get("accepted"))
    return diff


def vars_key(key: FindingKey) -> tuple[str, str, str, str]:
    """Findings sorted by criterion, file, code and message."""
    return (key.criterion, key.path, key.code, key.message)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _delta(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def _outcome(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "absent"}[passed]


def to_text(diff: ReportDiff) -> str:
    """The diff for a terminal."""
    lines = [f"weighted {_score(diff.final[0])} -> {_score(diff.final[1])}"]
    verdict = {True: "accepted", False: "rejected", None: "no accept_if"}
    lines.append(f"verdict {verdict[diff.accepted[0]]} -> {verdict[diff.accepted[1]]}")
    for c in diff.criteria:
        lines.append(
            f"  {c.name}: {_score(c.before)} -> {_score(c.after)} {_delta(c.delta)}".rstrip()
        )
    for rule, a, b in diff.flipped:
        lines.append(f"rule {rule}: {_outcome(a)} -> {_outcome(b)}")
    for title, keys in (("fixed", diff.fixed), ("introduced", diff.introduced)):
        lines.append(f"{len(keys)} finding(s) {title}")
        lines += [plain(f"  {k.criterion}: {k.path} {k.code} {k.message}") for k in keys]
    return "\n".join(lines) + "\n"


def to_markdown(diff: ReportDiff) -> str:
    """The diff as a PR comment: the criteria table, flipped rules, findings fixed and new."""
    lines = [
        f"### rubric diff: weighted {_score(diff.final[0])} → {_score(diff.final[1])}",
        "",
        "| criterion | before | after | change |",
        "| --- | ---: | ---: | ---: |",
    ]
    for c in diff.criteria:
        lines.append(
            f"| {md(c.name)} | {_score(c.before)} | {_score(c.after)} | {_delta(c.delta)} |"
        )
    if diff.flipped:
        lines += ["", "Rules that flipped:", ""]
        lines += [f"- {code(rule)}: {_outcome(a)} → {_outcome(b)}" for rule, a, b in diff.flipped]
    for title, keys in (("fixed", diff.fixed), ("introduced", diff.introduced)):
        lines += ["", f"{len(keys)} finding(s) {title}" + (":" if keys else "")]
        if keys:
            lines.append("")
        lines += [f"- {md(k.criterion)}: {code(k.path)} {md(k.code)} {md(k.message)}" for k in keys]
    return "\n".join(lines) + "\n"


def _load(path: str) -> dict[str, Any]:
    """A JSON report, or ValueError with a one-line reason."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"{path}: {error.strerror or error}") from None
    except ValueError as error:
        raise ValueError(f"{path}: not JSON ({error})") from None
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        raise ValueError(f"{path}: not a `rubric score --format json` report (schema_version 1)")
    return data


def run_diff(before: str, after: str, output_format: str) -> int:
    """Print the diff of two reports; 0, or 2 when one cannot be read."""
    try:
        diff = compare(_load(before), _load(after))
    except ValueError as error:
        print_error(COMMAND, str(error))
        return 2
    if output_format == "json":
        print(json.dumps(diff.to_json(), indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        print(to_markdown(diff), end="")
    else:
        print(to_text(diff), end="")
    return 0
