"""The catalogue of defects: what each models, where it applies and which check should see it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rubric_lsp.scoring.mutations import code_defects
from rubric_lsp.scoring.mutations.removed_tests import deleted_tests
from rubric_lsp.scoring.mutations.source import Source

Transform = Callable[[Source], "str | None"]


@dataclass(frozen=True)
class Defect:
    """One class of defect a reward should punish, and the transformation that plants it."""

    name: str
    # How reports name it: "removed error handling: not caught by any criterion".
    label: str
    # The check that targets it: a rubric claims to measure the defect when a criterion is
    # bound to this check.
    check: str
    transform: Transform
    # "code": planted in the change's non-test Python files; "tests": in its test files.
    scope: Literal["code", "tests"] = "code"


DEFECTS: tuple[Defect, ...] = (
    Defect(
        "shell-command", "a command run through the shell", "bandit", code_defects.shell_command
    ),
    Defect("eval", "an eval", "bandit", code_defects.eval_call),
    Defect(
        "removed-handler", "removed error handling", "error_handling", code_defects.removed_handler
    ),
    Defect(
        "swallowed-exception",
        "a swallowed exception",
        "error_handling",
        code_defects.swallowed_exception,
    ),
    Defect(
        "stripped-docstring", "a stripped docstring", "docstrings", code_defects.stripped_docstring
    ),
    Defect("short-names", "non-descriptive names", "naming", code_defects.short_names),
    Defect("nested-branch", "a deeply nested branch", "complexity", code_defects.nested_branch),
    Defect("unused-import", "an unused import", "pylint", code_defects.unused_import),
    Defect(
        "flipped-comparison",
        "a flipped comparison",
        "tests",
        code_defects.flipped_comparison,
    ),
    Defect("deleted-tests", "deleted tests", "coverage", deleted_tests, scope="tests"),
)

BY_NAME: dict[str, Defect] = {defect.name: defect for defect in DEFECTS}
