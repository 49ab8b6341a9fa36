"""A batch worker's own checkout of the base, reused from patch to patch and reset between.

One folder per worker keeps file paths and the mtimes of unchanged files stable, so the
worker's warm pylint keeps every module a patch did not touch (it evicts by file signature).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from rubric_lsp.scoring.gitrepo import git
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.snapshot import snapshot


class ReusedCheckout:
    """A worktree made once (a rubric snapshot, owned and reaped as any) and reset per patch."""

    def __init__(self) -> None:
        self._stack = contextlib.AsyncExitStack()
        self._folder: Path | None = None
        self._root: Path | None = None
        self._commit: str | None = None
        self.patches = 0
        self._dirty = False

    async def _open(self, root: Path, commit: str) -> Path:
        if self._folder is not None and self._root == root and not self._dirty:
            if self._commit != commit:
                done = await git(
                    self._folder, "checkout", "--quiet", "--detach", "--force", commit, check=False
                )
                if done.returncode != 0:
                    raise ScoringError(f"cannot check out {commit[:12]}: {done.last_error_line()}")
                self._commit = commit
            return self._folder
        await self.close()
        self._folder = await self._stack.enter_async_context(snapshot(root, commit))
        self._root, self._commit = root, commit
        return self._folder

    async def _reset(self) -> None:
        """Back to the base: only files that differ are rewritten, so the rest keep their mtime."""
        assert self._folder is not None
        reset = await git(self._folder, "reset", "--quiet", "--hard", check=False)
        # -x: what the tests or tools wrote (caches, coverage data) goes too; -ff: nested repos.
        clean = await git(self._folder, "clean", "-ffdxq", check=False)
        if reset.returncode != 0 or clean.returncode != 0:
            # A checkout that cannot be reset is never reused: the next patch gets a new one.
            await self.close()

    def __call__(
        self, root: Path, commit: str | None
    ) -> contextlib.AbstractAsyncContextManager[Path]:
        """The engine's ``checkout`` hook: the folder at ``commit``, reset when the run ends."""
        return self._session(root, commit)

    @contextlib.asynccontextmanager
    async def _session(self, root: Path, commit: str | None) -> AsyncIterator[Path]:
        if commit is None:
            raise ScoringError("--patch needs a base commit; the repository has no commits yet")
        folder = await self._open(root, commit)
        self.patches += 1
        try:
            yield folder
        finally:
            try:
                await self._reset()
            except BaseException:
                # Cancelled mid-reset: the folder may still hold the patch, never reuse it.
                self._dirty = True
                raise

    async def close(self) -> None:
        """Remove the checkout and its registration."""
        folder, self._folder = self._folder, None
        self._commit, self._dirty = None, False
        if folder is not None:
            await self._stack.aclose()
            self._stack = contextlib.AsyncExitStack()
