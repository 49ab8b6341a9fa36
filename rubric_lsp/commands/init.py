"""`rubric init`: write a starter rubric, the built-in default, never over an existing file."""

from __future__ import annotations

from pathlib import Path

from rubric_lsp.commands.output import print_error
from rubric_lsp.scoring.rubricfile import DEFAULT_RUBRIC

COMMAND = "init"
STARTER_HEADER = (
    "# A starter rubric: the criteria `rubric score` measures when a repository has none.\n"
    "# Change weights, add `check=` bindings, a `checks { ... }` block; see `rubric check`.\n"
)


def starter_text() -> str:
    """The default rubric with a header saying what to do with it."""
    body = DEFAULT_RUBRIC.split("\n", 1)[1]
    return STARTER_HEADER + body


def run_init(path: str | None) -> int:
    """Write the starter rubric to ``path`` (default: ./<folder>.rubric); 2 rather than clobber."""
    folder = Path.cwd()
    target = Path(path) if path else folder / f"{folder.name or 'project'}.rubric"
    if target.is_dir():
        target = target / f"{target.resolve().name or 'project'}.rubric"
    if target.exists() or target.is_symlink():
        print_error(COMMAND, f"{target}: already exists; not overwritten")
        return 2
    others = (
        sorted(p.name for p in target.parent.glob("*.rubric")) if target.parent.is_dir() else []
    )
    if others:
        # Two rubrics at a repository's root make `rubric score` ask which one to use.
        print_error(
            COMMAND, f"{target.parent}: already has {', '.join(others)}; not writing another"
        )
        return 2
    try:
        with open(target, "x", encoding="utf-8") as file:
            file.write(starter_text())
    except OSError as error:
        print_error(COMMAND, f"{target}: {error.strerror or error}")
        return 2
    print(f"wrote {target}")
    return 0
