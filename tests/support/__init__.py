"""Helpers shared by the test folders: git fixture repositories, an LSP client, mutated inputs."""

from __future__ import annotations

from pathlib import Path

# The seed rubric files every layer is tested on.
SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed001"
SEED_FILES = sorted(SEEDS.glob("*.rubric"))
WORKFLOW = (SEEDS / "workflow.rubric").read_text()
