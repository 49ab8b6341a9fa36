"""Untrusted runs execute nothing of the repository, not even through tool configuration."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreOptions, run_scoring
from rubric_lsp.scoring.pylint_worker import PylintWorker


def hostile_repo(root: Path, marker: Path) -> Path:
    """A repository whose pylintrc runs code when pylint reads it."""
    files = {
        "m.py": '"""M."""\n\nx = 1\n',
        ".pylintrc": f"[MAIN]\ninit-hook=open({str(marker)!r}, 'w').write('ran')\n",
        "r.rubric": "reward_rubric {\n  criterion style weight=1\n}\n",
    }
    repo = init_repo(root / "repo", files)
    (repo / "m.py").write_text('"""M."""\n\nx = 1\nz = 2\n')
    return repo


def test_untrusted_pylint_ignores_the_projects_config(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = hostile_repo(tmp_path, marker)
    result = score(repo, trusted=False, use_cache=False)
    assert result.criteria["style"].status == "scored"
    assert not marker.exists()
    # Trusted, the project's configuration applies (and here runs its hook).
    score(repo, trusted=True, use_cache=False)
    assert marker.read_text() == "ran"


def test_untrusted_warm_worker_ignores_the_projects_config(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    repo = hostile_repo(tmp_path, marker)

    async def run() -> None:
        worker = PylintWorker()
        try:
            options = ScoreOptions(repo=repo, trusted=False, use_cache=False, pylint_runner=worker)
            result = await run_scoring(options)
            assert result.criteria["style"].status == "scored"
        finally:
            await worker.close()

    asyncio.run(run())
    assert not marker.exists()


def test_tools_keep_their_caches_out_of_the_tree() -> None:
    from rubric_lsp.scoring.proc import quiet_env

    env = quiet_env()
    assert Path(env["HYPOTHESIS_STORAGE_DIRECTORY"]).is_absolute()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
