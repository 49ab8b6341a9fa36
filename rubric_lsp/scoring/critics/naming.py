"""pylint's naming checks on changed lines (or names the change made non-conforming)."""

from __future__ import annotations

from dataclasses import replace

from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic
from rubric_lsp.scoring.critics.pylint import (
    NAMING_SYMBOLS,
    PylintCritic,
    PylintReport,
    analyse,
    describe,
    shared_run,
)

_ONLY_NAMING = ["--disable=all", "--enable=" + ",".join(sorted(NAMING_SYMBOLS))]


class NamingCritic(DeclaredCritic, check="naming"):
    """Names that break the project's naming style, per changed statement."""

    default_timeout = 300.0
    # pylint's message ids of NAMING_SYMBOLS (a test reads them from pylint itself).
    codes = ("C0103", "C0104", "C0105", "C0131", "C0132", "C2401", "C2403", "W2402")

    async def run(self, context: Context) -> CriticResult:
        """Reuse the full pylint run when there is one, else run only the naming checks."""
        if not context.changes.python_files:
            return CriticResult(
                1.0, summary="no changed Python files", reasons=("No changed Python files.",)
            )
        report: PylintReport
        if PylintCritic.declaration.name in context.needed:
            report = await shared_run(context)
        else:
            report = await context.shared(
                "naming", lambda: analyse(context, _ONLY_NAMING, "naming")
            )
        found = [
            f for files in report.findings.values() for f in files if f.symbol in NAMING_SYMBOLS
        ]
        statements = max(report.statements, 1)
        findings = [replace(f, penalty=min(1.0, 1.0 / statements)) for f in found]
        score = max(0.0, 1.0 - len(findings) / statements)
        reasons = [
            f"Checked names with pylint's naming rules in {report.files} changed file(s), "
            f"{report.statements} changed statement(s)."
        ]
        if findings:
            reasons.append(f"{len(findings)} name(s) break the naming style:")
            reasons.extend(describe(findings))
            summary = f"{len(findings)} badly named identifier(s)"
        else:
            reasons.append("Every name on the changed lines follows the naming style.")
            summary = "names follow the naming style"
        return CriticResult(
            score, summary=summary, reasons=tuple(reasons), findings=tuple(findings)
        )
