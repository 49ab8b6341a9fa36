"""bandit on the changed Python files: security issues the change brought, by severity."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from rubric_lsp.scoring import proc
from rubric_lsp.scoring.critic import (
    Context,
    CriticResult,
    DeclaredCritic,
    Finding,
    FindingSeverity,
)
from rubric_lsp.scoring.critics.pylint import describe
from rubric_lsp.scoring.pysource import (
    cached_findings,
    caused_by_change,
    is_test_file,
    materialize_base,
    needs_base,
    real,
)

ASSERT_USED = "B101"
SEVERITY_PENALTY = {"HIGH": 0.5, "MEDIUM": 0.25, "LOW": 0.1}
# Confidence scales the penalty: a guess costs less than a certainty.
CONFIDENCE_SCALE = {"HIGH": 1.0, "MEDIUM": 0.7, "LOW": 0.4}

_SEVERITY: dict[str, FindingSeverity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}

# bandit exits 1 when it reports issues: normal. Other failures leave no JSON on stdout.


@dataclass(frozen=True)
class BanditIssue:
    """One result of ``bandit -f json``."""

    filename: str
    test_id: str
    test_name: str
    text: str
    severity: str
    confidence: str
    line: int
    line_range: tuple[int, ...]
    column: int
    end_column: int | None

    @property
    def penalty(self) -> float:
        """Severity penalty scaled by confidence."""
        return SEVERITY_PENALTY.get(self.severity, 0.0) * CONFIDENCE_SCALE.get(self.confidence, 0.4)

    def finding(self, path: str) -> Finding:
        """This issue as a finding; it spans every line of its statement."""
        first = min(self.line_range) if self.line_range else self.line
        last = max(self.line_range) if self.line_range else self.line
        return Finding(
            path=path,
            line=first,
            column=self.column,
            code=self.test_id,
            message=f"{self.text} (severity {self.severity}, confidence {self.confidence})",
            severity=_SEVERITY.get(self.severity, "info"),
            penalty=self.penalty,
            end_line=last,
            end_column=self.end_column,
            symbol=self.test_name,
        )


def parse_json(text: str) -> list[BanditIssue]:
    """Issues of ``bandit -f json``.

    A sample of one result::

        {"filename": "./s.py", "test_id": "B602",
         "test_name": "subprocess_popen_with_shell_equals_true",
         "issue_text": "subprocess call with shell=True identified, security issue.",
         "issue_severity": "HIGH", "issue_confidence": "HIGH",
         "line_number": 4, "line_range": [3, 4], "col_offset": 4, "end_col_offset": 29}
    """
    data = json.loads(text)
    results: list[dict[str, Any]] = data.get("results", [])
    return [
        BanditIssue(
            filename=str(item["filename"]),
            test_id=str(item["test_id"]),
            test_name=str(item.get("test_name", "")),
            text=str(item.get("issue_text", "")),
            severity=str(item.get("issue_severity", "LOW")).upper(),
            confidence=str(item.get("issue_confidence", "LOW")).upper(),
            line=int(item.get("line_number") or 1),
            line_range=tuple(int(n) for n in item.get("line_range") or ()),
            column=int(item.get("col_offset") or 0),
            end_column=item.get("end_col_offset"),
        )
        for item in results
    ]


def bandit_score(findings: list[Finding]) -> float:
    """max(0, 1 - sum(severity penalty * confidence))."""
    return max(0.0, 1.0 - sum(f.penalty for f in findings))


def _config_args(root: Path) -> list[str]:
    """bandit reads pyproject.toml only when told to, and only a [tool.bandit] table."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.bandit" in pyproject.read_text(
        encoding="utf-8", errors="replace"
    ):
        return ["-c", str(pyproject)]
    return []


async def run_bandit(cwd: Path, files: list[Path]) -> dict[str, list[BanditIssue]]:
    """One bandit process over all files; issues keyed by each file's real path."""
    if not files:
        return {}
    if len(proc.chunked([str(path) for path in files])) > 1:  # too many for one command line
        merged: dict[str, list[BanditIssue]] = {}
        for chunk in proc.chunked([str(path) for path in files]):
            merged.update(await run_bandit(cwd, [Path(name) for name in chunk]))
        return merged
    # -P: the linted tree must not shadow the installed bandit.
    argv = [sys.executable, "-P", "-m", "bandit", "-f", "json", "-q", *_config_args(cwd)]
    argv += [str(path) for path in files]
    done = await proc.run(argv, cwd)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"bandit failed: {done.last_error_line()}")
    by_path: dict[str, list[BanditIssue]] = {}
    for issue in parse_json(done.text):
        by_path.setdefault(real(cwd / issue.filename), []).append(issue)
    return by_path


def _version() -> str:
    try:
        return metadata.version("bandit")
    except metadata.PackageNotFoundError:
        return "unknown"


class BanditCritic(DeclaredCritic, check="bandit"):
    """Security issues the change brought, penalised by severity and confidence."""

    default_timeout = 300.0
    codes = ("B[0-9][0-9][0-9]",)

    async def run(self, context: Context) -> CriticResult:
        """Run bandit once over every changed Python file."""
        changes = context.changes
        python = changes.python_files
        if not python:
            return CriticResult(
                1.0,
                summary="no changed Python files",
                reasons=("No changed Python files to scan.",),
            )
        config = [_version(), _config_args(changes.work_dir)]

        async def runner(paths: list[Path]) -> dict[str, list[Finding]]:
            issues = await run_bandit(changes.work_dir, paths)
            return {path: [i.finding(path) for i in found] for path, found in issues.items()}

        new = await cached_findings(
            context, "bandit", {f.path: changes.work_dir / f.path for f in python}, config, runner
        )
        wanting_base = [f for f in python if needs_base(f, new.get(f.path, []))]
        base: dict[str, list[Finding]] = {}
        if wanting_base:
            written = await materialize_base(context, wanting_base)
            base = await cached_findings(context, "bandit-base", written, config, runner)
        findings: list[Finding] = []
        for changed in python:
            found = caused_by_change(
                changed, new.get(changed.path, []), base.get(changed.path), span=True
            )
            if is_test_file(changed.path):
                # Tests assert on purpose; B101 there is noise, not a security issue.
                found = [f for f in found if f.code != ASSERT_USED]
            findings += found
        score = bandit_score(findings)
        reasons = [f"Ran bandit on {len(python)} changed Python file(s)."]
        if findings:
            reasons.append(
                f"{len(findings)} issue(s) the change brought, costing "
                f"{sum(f.penalty for f in findings):.2f} (HIGH 0.5, MEDIUM 0.25, LOW 0.1, "
                "scaled by confidence):"
            )
            reasons.extend(describe(findings))
            worst = max(findings, key=lambda f: f.penalty)
            where = f"{worst.path}:{worst.line}"
            summary = f"{len(findings)} security issue(s), worst {worst.code} at {where}"
        else:
            reasons.append("No security issue on the changed lines or caused by the change.")
            summary = "no security issue caused by the change"
        return CriticResult(
            score, summary=summary, reasons=tuple(reasons), findings=tuple(findings)
        )
