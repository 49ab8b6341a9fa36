"""Columns in the units other formats count: UTF-8 bytes from the findings' characters."""

from __future__ import annotations

from rubric_lsp.scoring.reports.sources import Sources


def byte_column(sources: Sources, path: str, line: int, column: int) -> int:
    """A 0-based character column as a 0-based UTF-8 byte column of the line's text.

    Without the file's text (a --patch run) the characters are taken to be one byte each.
    """
    text = sources.line(path, line)
    if text is None:
        return column
    return len(text[:column].encode("utf-8", "surrogatepass")) + max(0, column - len(text))
