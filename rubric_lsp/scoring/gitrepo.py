"""Read-only git queries: the repository, revisions, blobs and the git dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.scoring.proc import Completed, ScoringError, quiet_env, run
from rubric_lsp.scoring.safegit import (
    filter_names,
    git_argv,
    git_env,
    list_filters_argv,
    needs_filter_list,
    parse_config_names,
)


async def git(
    cwd: str | Path,
    *args: str,
    check: bool = True,
    stdin: bytes | None = None,
    run_filters: bool = False,
) -> Completed:
    """Run one git command that runs no program of the configuration (see safegit).

    ``run_filters`` keeps the configured filter drivers: only for a trusted run reading the
    user's own working tree, where a clean filter (git-lfs) decides what changed.
    """
    env = git_env(quiet_env())
    neutral: list[str] = []
    if not run_filters and needs_filter_list(args):
        listed = await run(list_filters_argv(), cwd, env=env, sweep=False)
        neutral = filter_names(parse_config_names(listed.stdout))
    done = await run(git_argv(args, neutral), cwd, env=env, stdin=stdin, sweep=False)
    if check and done.returncode != 0:
        raise ScoringError(f"git {args[0]}: {done.last_error_line()}")
    return done


@dataclass(frozen=True)
class Repository:
    """A git repository: its top-level folder and its (common) git dir."""

    root: Path
    git_dir: Path

    @classmethod
    async def find(cls, path: str | Path) -> Repository:
        """The repository containing ``path``, or a one-line error."""
        folder = Path(path).expanduser()
        if not folder.exists():
            raise ScoringError(f"{path}: no such file or directory")
        if folder.is_file():
            folder = folder.parent
        done = await git(folder, "rev-parse", "--show-toplevel", "--git-common-dir", check=False)
        if done.returncode != 0:
            raise ScoringError(f"{path}: not inside a git repository")
        lines = done.text.splitlines()
        if len(lines) < 2:  # a bare repository has no top level
            raise ScoringError(f"{path}: not inside a git working tree")
        root = Path(lines[0]).resolve()
        git_dir = Path(lines[1])
        if not git_dir.is_absolute():
            git_dir = (folder / git_dir).resolve()
        return cls(root, git_dir)

    async def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commits."""
        done = await git(
            self.root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False
        )
        return done.text.strip() if done.returncode == 0 else None

    async def resolve_base(self, base: str) -> str | None:
        """The commit to compare with: HEAD itself, or the merge-base of ``base`` and HEAD."""
        head = await self.head()
        if base in ("HEAD", "@"):
            return head
        done = await git(
            self.root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}", check=False
        )
        if done.returncode != 0:
            raise ScoringError(f"unknown revision '{base}'")
        commit = done.text.strip()
        if head is None:
            return commit
        merge = await git(self.root, "merge-base", commit, head, check=False)
        if merge.returncode != 0:
            raise ScoringError(f"'{base}' and HEAD have no common ancestor")
        return merge.text.strip()

    async def show(self, commit: str | None, path: str) -> bytes | None:
        """A file's bytes at a commit, or None when it does not exist there."""
        if commit is None:
            return None
        # cat-file reads the blob as stored: no textconv, no filter.
        done = await git(self.root, "cat-file", "blob", f"{commit}:{path}", check=False)
        return done.stdout if done.returncode == 0 else None

    async def blob_id(self, commit: str | None, path: str) -> str | None:
        """The blob id of a file at a commit, a content key for caches."""
        if commit is None:
            return None
        done = await git(
            self.root, "rev-parse", "--verify", "--quiet", f"{commit}:{path}", check=False
        )
        return done.text.strip() if done.returncode == 0 else None

    @property
    def cache_dir(self) -> Path:
        """Where results are cached: inside the git dir, never in the working tree."""
        return self.git_dir / "rubric-cache"
