"""A repository with borderline changes for the review queue's tests: real git, AST checks."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from .gitrepo import git, init_repo, state

RUBRIC_CLI = [sys.executable, "-m", "rubric_lsp.cli"]

# Three static checks that run in well under a second; docs carries most of the weight, so
# the share of documented functions decides where a change lands.
RUBRIC = """\
task {
  title "add helpers to shapes"
  objective "small geometry helpers, documented"
}
reward_rubric {
  criterion docs weight=3
  criterion edge_cases weight=1 check=error_handling
  criterion readability weight=1
}
accept_if { minimum docs 4  weighted_gte 0.8 }
review_if { weighted_between 0.3 0.9 }
"""

BASE = '''\
"""Shapes."""


def area(width, height):
    """The area of a rectangle."""
    return width * height
'''


def functions(documented: int, undocumented: int, prefix: str) -> str:
    """Python source adding that many documented and undocumented public functions."""
    parts = []
    for number in range(documented):
        parts.append(f'def {prefix}_doc_{number}(x):\n    """Twice x."""\n    return 2 * x\n')
    for number in range(undocumented):
        parts.append(f"def {prefix}_bare_{number}(x):\n    return 3 * x\n")
    return "\n\n".join(parts)


def make_repo(path: Path) -> Path:
    """A committed repository with the rubric at its root and a person's git identity."""
    repo = init_repo(path, {"shapes.py": BASE, "shapes.rubric": RUBRIC})
    git(repo, "config", "user.name", "Ada Reviewer")
    git(repo, "config", "user.email", "ada@example.com")
    return repo


def patch_adding(repo: Path, name: str, text: str) -> str:
    """A unified diff that adds ``name`` holding ``text``, made with git and not applied."""
    done = subprocess.run(
        ["git", "diff", "--no-index", "--src-prefix=a/", "--dst-prefix=b/", "/dev/null", "-"],
        input=text,
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    return done.stdout.replace("b/-", f"b/{name}").replace("a/-", f"a/{name}")


def rubric_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `rubric` command as a user would."""
    return subprocess.run(
        [*RUBRIC_CLI, *args], cwd=cwd, capture_output=True, text=True, input=stdin, env=os.environ
    )


def user_state(repo: Path) -> str:
    """The digest of the tree, the index, untracked files, the stash, worktrees and refs."""
    return state(repo)


def queue_digest(repo: Path) -> str:
    """A digest of the review queue's stored items."""
    digest = hashlib.sha256()
    for item in sorted((repo / ".git" / "rubric-review" / "items").glob("*.json")):
        digest.update(item.read_bytes())
    return digest.hexdigest()


def rubric_main(*args: str) -> tuple[int, str, str]:
    """Run the `rubric` command in this process (quicker than a new one): code, out, err."""
    import contextlib
    import io

    from rubric_lsp.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def score_patch(repo: Path, diff: str) -> dict[str, object]:
    """Score a patch in this process as `rubric score --patch` does, queueing it when flagged."""
    import asyncio

    from rubric_lsp.scoring.engine import ScoreOptions, run_scoring

    options = ScoreOptions(repo=repo, patch=diff.encode(), queue_review=True)
    result: dict[str, object] = asyncio.run(run_scoring(options)).to_json()
    return result
