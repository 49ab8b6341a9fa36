"""Fixture repositories for the agent tests: the calc package, committed, copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.gitrepo import copy_repo, init_repo


@pytest.fixture(scope="session")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed fixture package; tests copy it before changing anything."""
    return init_repo(tmp_path_factory.mktemp("fixture") / "calc")


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture repository."""
    return copy_repo(base_repo, tmp_path / "calc")
