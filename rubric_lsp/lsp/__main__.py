"""`python -m rubric_lsp.lsp`: run the language server."""

from rubric_lsp.lsp.main import main

raise SystemExit(main())
