"""One module per LSP feature area, each with a ``register(server)``."""
