"""The warm pylint worker sees one workspace's packages, and restarts for another's."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.project_env import venvs

from rubric_lsp.scoring.critics.pylint import PylintMessage
from rubric_lsp.scoring.interpreter import site_packages
from rubric_lsp.scoring.pylint_worker import PylintWorker


@pytest.mark.asyncio
async def test_the_worker_restarts_when_the_search_path_changes(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    packages = site_packages(venvs(tmp_path_factory)["full"])
    module = tmp_path / "uses.py"
    module.write_text('"""Uses."""\n\nfrom only_here import area\n\nWALL = area(2, 3)\n')
    worker = PylintWorker()
    try:
        alone = await worker(tmp_path, [module], [])
        seen = await worker(tmp_path, [module], [], search=packages)
        again = await worker(tmp_path, [module], [], search=packages)
        back = await worker(tmp_path, [module], [])
    finally:
        await worker.close()

    def symbols(found: dict[str, list[PylintMessage]]) -> set[str]:
        return {m.symbol for messages in found.values() for m in messages}

    assert "import-error" in symbols(alone)
    assert "import-error" not in symbols(seen) and "import-error" not in symbols(again)
    assert "import-error" in symbols(back)
    assert worker.restarts == 2  # to the venv's path, then back; the same path stays warm
