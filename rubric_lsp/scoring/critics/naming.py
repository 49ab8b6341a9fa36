"""pylint's naming checks on changed lines, and one-letter names the change binds."""

from __future__ import annotations

from dataclasses import replace

from rubric_lsp.language.catalogue import DECLARED
from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, Finding
from rubric_lsp.scoring.critics.pylint import (
    HALVING_FINDINGS,
    NAMING_SYMBOLS,
    PylintCritic,
    PylintReport,
    analyse,
    count_score,
    describe,
    shared_run,
)
from rubric_lsp.scoring.critics.short_names import CODE, allowed_names, short_names
from rubric_lsp.scoring.pysource import ast_work

_ONLY_NAMING = ["--disable=all", "--enable=" + ",".join(sorted(NAMING_SYMBOLS))]


class NamingCritic(DeclaredCritic, check="naming"):
    """Names that break the project's naming style, counted."""

    default_timeout = 300.0
    # pylint's message ids of NAMING_SYMBOLS, which the catalogue claims, and its own code.
    codes = (*DECLARED["naming"].claims, CODE)

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
        found += await ast_work(_short_name_findings, context, found)
        # Counted, as pylint's findings are: renaming more lines cannot dilute a bad name.
        findings = [replace(f, penalty=1.0 / (HALVING_FINDINGS + len(found))) for f in found]
        score = count_score(len(findings))
        reasons = [
            f"Checked names with pylint's naming rules in {report.files} changed file(s), "
            f"{report.statements} changed statement(s), and one-letter names other than "
            f"{', '.join(sorted(allowed_names(context.setting('naming').allow)))}."
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


def _short_name_findings(context: Context, reported: list[Finding]) -> list[Finding]:
    """One-letter names bound on changed lines that pylint did not already report."""
    allowed = allowed_names(context.setting("naming").allow)
    # pylint quotes the name it rejects: "Variable name "A" doesn't conform to ...".
    seen = {
        (f.path, f.line, f.message.split('"')[1]) for f in reported if f.message.count('"') >= 2
    }
    findings = []
    for changed in context.changes.python_files:
        text = context.changes.read(changed.path)
        for name in short_names(changed, text, allowed):
            if (changed.path, name.line, name.name) in seen:
                continue
            findings.append(
                Finding(
                    changed.path,
                    name.line,
                    name.column,
                    CODE,
                    f"{name.kind} name '{name.name}' says nothing: name what it holds",
                    "info",
                    end_line=name.line,
                    end_column=name.column + 1,
                    symbol=CODE,
                )
            )
    return findings
