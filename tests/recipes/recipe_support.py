"""Read a recipe's diff from docs/architecture.md and apply it to a copy of the package."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def recipe_diff(heading: str) -> str:
    """The first ```diff block after the `## Recipe: <heading>` heading."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split(f"## Recipe: {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```diff\n(.*?)```", section, re.DOTALL)
    assert found, f"no diff under 'Recipe: {heading}' in {ARCHITECTURE}"
    return found.group(1)


def apply_recipe(heading: str, target: Path) -> Path:
    """A copy of the package, grammar and docs in target with the recipe's diff applied."""
    for name in ("rubric_lsp", "grammar", "docs", "editors/vscode/package.json"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    patch = target / "recipe.diff"
    patch.write_text(recipe_diff(heading), encoding="utf-8")
    subprocess.run(
        ["git", "apply", "--unidiff-zero", "--whitespace=nowarn", str(patch)],
        cwd=target,
        check=True,
        capture_output=True,
    )
    return target
