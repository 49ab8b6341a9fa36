"""`rubric dataset export`: one JSON line per labelled item of the review queue."""

from __future__ import annotations

import contextlib
import json
import sys

from rubric_lsp.scoring.review.dataset import export
from rubric_lsp.scoring.review.queue import ReviewQueue


def run_export(queue: ReviewQueue, form: str, include_unlabelled: bool, output: str | None) -> int:
    """Write the lines to ``output`` (stdout when None)."""
    lines = [
        json.dumps(line, ensure_ascii=False)
        for line in export(queue.items(), form, include_unlabelled)
    ]
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(output, "w", encoding="utf-8")) if output else sys.stdout
        for line in lines:
            out.write(line + "\n")
    if output:
        print(f"{len(lines)} line(s) written to {output}", file=sys.stderr)
    return 0
