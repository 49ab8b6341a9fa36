"""`python -m rubric_lsp`: the `rubric` command."""

from __future__ import annotations

import sys

from rubric_lsp.cli import main

if __name__ == "__main__":
    sys.exit(main())
