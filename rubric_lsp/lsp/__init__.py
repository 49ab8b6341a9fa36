"""The language server: a thin protocol layer over rubric_lsp.language."""
