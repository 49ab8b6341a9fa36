"""One module per LSP feature area, each a ``Feature`` subclass listed in ``lsp/main.py``."""
