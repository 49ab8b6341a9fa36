"""Transition only: the helpers moved to tests/support; import them from there."""

from support import SEEDS, WORKFLOW
from support.lsp_client import (
    SERVER,
    apply_edits,
    doc,
    make_client,
    open_document,
    position_of,
    published_for,
    replace_text,
    wait_for_diagnostics,
)

__all__ = [
    "SEEDS",
    "SERVER",
    "WORKFLOW",
    "apply_edits",
    "doc",
    "make_client",
    "open_document",
    "position_of",
    "published_for",
    "replace_text",
    "wait_for_diagnostics",
]
