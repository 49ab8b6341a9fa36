"""`rubric check`: print every diagnostic, compiler style or as JSON."""

from __future__ import annotations

import json

from rubric_lsp.commands.files import UsageError, find_rubric_files, read_source
from rubric_lsp.commands.output import diagnostic_line, print_error
from rubric_lsp.language.model import Diagnostic, Severity
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate


def diagnostics_for(text: str, encoding_error: Diagnostic | None = None) -> list[Diagnostic]:
    """Parse and validate one text, putting an encoding error first."""
    found = validate(parse(text))
    return ([encoding_error] if encoding_error else []) + found


def run_check(paths: list[str], output_format: str) -> int:
    """Check files; exit 0 with no errors, 1 with any error, 2 on usage or I/O errors."""
    try:
        files = find_rubric_files(paths)
        if not files:
            raise UsageError(f"no .rubric files found in {', '.join(paths)}")
        results = [
            (source.path, diagnostics_for(source.text, source.encoding_error))
            for source in map(read_source, files)
        ]
    except UsageError as error:
        print_error("check", str(error))
        return 2
    if output_format == "json":
        records = [
            {
                "path": str(path),
                "range": {
                    "start": {"line": d.range.start.line, "character": d.range.start.character},
                    "end": {"line": d.range.end.line, "character": d.range.end.character},
                },
                "severity": d.severity.label,
                "code": d.code,
                "message": d.message,
            }
            for path, diagnostics in results
            for d in diagnostics
        ]
        print(json.dumps(records, indent=2))
    else:
        for path, diagnostics in results:
            for d in diagnostics:
                print(diagnostic_line(path, d))
    has_error = any(d.severity == Severity.ERROR for _, ds in results for d in ds)
    return 1 if has_error else 0
