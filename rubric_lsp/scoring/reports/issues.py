"""The findings of a result as the issues that machine formats report, each exactly once."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.engine import CriterionScore, ScoreResult
from rubric_lsp.scoring.reports.common import describe_ranges, line_ranges
from rubric_lsp.scoring.reports.sources import Sources

# Codes whose findings are whole lines of one kind: a file's lines become one issue with
# their ranges, instead of an alert per line.
LINE_CODES = {"not-covered": "changed line(s) not run by the tests"}
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Issue:
    """One reported problem: a finding, or a file's lines of a line code, with its owner."""

    criterion: CriterionScore
    finding: Finding
    # The runs of lines it covers: one for a finding, a file's runs for a line code.
    ranges: tuple[tuple[int, int], ...]
    # What it cost its criterion (summed over the lines of a line code).
    penalty: float
    # Stable across runs and line moves: neither line numbers nor columns go in.
    fingerprint: str

    @property
    def rule_id(self) -> str:
        """``criterion/code``: the rule of machine formats."""
        return f"{self.criterion.name}/{self.finding.code}"

    @property
    def message(self) -> str:
        """The finding's message, with the ranges for a line code."""
        if self.finding.code in LINE_CODES:
            count = sum(b - a + 1 for a, b in self.ranges)
            return f"{count} {LINE_CODES[self.finding.code]}: {describe_ranges(self.ranges)}"
        return self.finding.message


def _fingerprint(
    rule_id: str, finding: Finding, sources: Sources, seen: dict[str, int], line_code: bool
) -> str:
    """A hash of what the finding is and the text it is on, numbered among its equals."""
    if line_code:
        # One issue per file: the file and the rule are its identity.
        key = f"{rule_id}\0{finding.path}"
    else:
        # Numbers in messages are often line numbers ("(line 12)"); the text of the line
        # the finding is on tells equal messages apart instead.
        text = sources.line(finding.path, finding.line)
        context = " ".join(text.split()) if text is not None else ""
        message = _DIGITS.sub("0", finding.message)
        key = f"{rule_id}\0{finding.path}\0{message}\0{context}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    seen[digest] += 1
    return f"{digest}:{seen[digest]}"


def issues(result: ScoreResult, sources: Sources | None = None) -> list[Issue]:
    """Every finding once (the first criterion to list a place and code owns it), in order."""
    sources = sources or Sources(None)
    owned: set[tuple[str, int, int, str]] = set()
    seen: dict[str, int] = defaultdict(int)
    found: list[Issue] = []
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for criterion in result.criteria.values():
        for finding in criterion.findings:
            place = (finding.path, finding.line, finding.column, finding.code)
            if place in owned:
                continue
            owned.add(place)
            if finding.code in LINE_CODES:
                group = (criterion.name, finding.path, finding.code)
                if group not in grouped:
                    grouped[group] = []
                    # A placeholder keeps the file's issue where its first line came.
                    found.append(Issue(criterion, finding, (), 0.0, ""))
                grouped[group].append(finding)
                continue
            end = (
                finding.end_line if finding.end_line and finding.end_line >= finding.line else None
            )
            rule_id = f"{criterion.name}/{finding.code}"
            found.append(
                Issue(
                    criterion,
                    finding,
                    ((finding.line, end or finding.line),),
                    finding.penalty,
                    _fingerprint(rule_id, finding, sources, seen, line_code=False),
                )
            )
    for index, issue in enumerate(found):
        if issue.ranges:
            continue
        findings = grouped[(issue.criterion.name, issue.finding.path, issue.finding.code)]
        rule_id = f"{issue.criterion.name}/{issue.finding.code}"
        found[index] = Issue(
            issue.criterion,
            issue.finding,
            tuple(line_ranges([f.line for f in findings])),
            sum(f.penalty for f in findings),
            _fingerprint(rule_id, issue.finding, sources, seen, line_code=True),
        )
    return found
