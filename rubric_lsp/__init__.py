"""rubric-lsp: code-review criteria as a .rubric file, checked and scored."""

__version__ = "0.1.0"
