"""Built-in critics, one module each."""
