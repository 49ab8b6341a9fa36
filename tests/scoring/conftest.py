"""Fixture repositories for the scoring tests, made fresh by the tests themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.gitrepo import copy_repo, init_repo


@pytest.fixture(scope="session")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed fixture package; tests copy it before changing anything."""
    return init_repo(tmp_path_factory.mktemp("fixture") / "calc")


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the fixture repository."""
    yield copy_repo(base_repo, tmp_path / "calc")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of the slowest scoring tests (deselect with -m 'not slow')."""
    config.addinivalue_line("markers", "slow: runs benchmarks or killed subprocesses")
