"""One module per `rubric` subcommand."""
