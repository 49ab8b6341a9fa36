"""`rubric fmt`: rewrite files in the canonical layout, or check or show the change."""

from __future__ import annotations

import difflib
import sys

from rubric_lsp.commands.files import UsageError, find_rubric_files, read_source, write_atomically
from rubric_lsp.commands.output import location, print_error
from rubric_lsp.language.format import format_text
from rubric_lsp.language.parser import parse


def run_fmt(paths: list[str], *, check: bool, diff: bool) -> int:
    """Format files; exit 1 when --check finds a change or a file cannot be formatted."""
    try:
        files = find_rubric_files(paths)
        if not files:
            raise UsageError(f"no .rubric files found in {', '.join(paths)}")
        sources = [read_source(path) for path in files]
    except UsageError as error:
        print_error("fmt", str(error))
        return 2
    status = 0
    for source in sources:
        if source.encoding_error is not None:
            print(f"{source.path}: not formatted: {source.encoding_error.message}", file=sys.stderr)
            status = 1
            continue
        formatted = format_text(source.text)
        if formatted is None:
            first = parse(source.text).syntax_errors[0]
            print(
                f"{location(source.path, first.range.start)}: not formatted: "
                f"fix the syntax error first: {first.message}",
                file=sys.stderr,
            )
            status = 1
            continue
        if formatted == source.text:
            continue
        if check:
            print(f"{source.path}: would be reformatted")
            status = 1
        elif diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    source.text.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    f"{source.path} (original)",
                    f"{source.path} (formatted)",
                )
            )
        else:
            try:
                write_atomically(source.path, ("\ufeff" if source.bom else "") + formatted)
            except OSError as error:
                print_error("fmt", f"{source.path}: {error.strerror or error}")
                return 2
            print(f"{source.path}: reformatted")
    return status
