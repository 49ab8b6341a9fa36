"""The change every report test renders: scored once per session, it runs real tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.gitrepo import init_repo
from support.report_change import make_change

from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.sources import Sources


@pytest.fixture(scope="session")
def change_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The calc fixture with a failing hostile test, uncovered lines, bandit and pylint findings."""
    repo = init_repo(tmp_path_factory.mktemp("reports") / "calc")
    make_change(repo)
    return repo


@pytest.fixture(scope="session")
def result(change_repo: Path) -> ScoreResult:
    """The change scored with every check but the benchmark."""
    return score(change_repo, enabled={"benchmark": False})


@pytest.fixture(scope="session")
def sources(change_repo: Path) -> Sources:
    """The change's files, as `rubric score` reads them for positions and fingerprints."""
    return Sources(change_repo)
