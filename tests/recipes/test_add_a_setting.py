"""docs/architecture.md's "add a setting" diff: one field, then the CLI, API and server have it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .recipe_support import apply_recipe

# Run inside the patched copy: the new setting in the API, the server and the engine.
PROBE = """
import asyncio, inspect, json, pathlib, sys
import rubric_lsp
from rubric_lsp.lsp.settings import documented, read_settings
from rubric_lsp.scoring import engine
from rubric_lsp.scoring.critic import Context, CriticResult
from rubric_lsp.scoring.options import ScoreOptions

running = peak = 0

class Slow:
    executes_code = False
    default_timeout = 30.0

    def __init__(self, name):
        self.name = name

    async def run(self, context):
        global running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        return CriticResult(1.0, summary="fine")

async def widest(options):
    global peak
    peak = 0
    names = ["pylint", "bandit", "naming"]
    critics = {name: Slow(name) for name in names}
    checks = {name: [name] for name in names}
    context = Context(None, None, {}, None, pathlib.Path("."), frozenset(checks))
    await engine.run_critics(checks, context, options, critics)
    return peak

parameter = inspect.signature(rubric_lsp.score).parameters["jobs"]
settings, problems = read_settings({"jobs": 2})
print(json.dumps({
    "package": rubric_lsp.__file__,
    "api_default": parameter.default,
    "api_kind": str(parameter.kind),
    "server_value": settings.jobs,
    "server_problems": problems,
    "documented": [row for row in documented() if row[0] == "jobs"],
    "one_at_a_time": asyncio.run(widest(ScoreOptions(jobs=1))),
    "all_at_once": asyncio.run(widest(ScoreOptions())),
}))
"""


def _run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False
    )


def test_recipe_adds_jobs_to_the_cli_the_api_and_the_server(tmp_path: Path) -> None:
    copy = apply_recipe("add a setting", tmp_path)

    done = _run(copy, "-m", "rubric_lsp.cli", "score", "--help")
    assert done.returncode == 0, done.stderr
    assert "--jobs N" in done.stdout and "How many checks run at once" in done.stdout

    done = _run(copy, "-c", PROBE)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert Path(found["package"]).is_relative_to(copy)
    assert found["api_default"] == 0 and found["api_kind"] == "KEYWORD_ONLY"
    assert found["server_value"] == 2 and found["server_problems"] == []
    doc = "How many checks run at once; 0: all of them."
    assert found["documented"] == [["jobs", 0, doc]]
    assert found["one_at_a_time"] == 1 and found["all_at_once"] == 3

    manifest = json.loads((copy / "editors/vscode/package.json").read_text(encoding="utf-8"))
    shown = manifest["contributes"]["configuration"]["properties"]["rubric.jobs"]
    assert shown["default"] == 0 and shown["markdownDescription"] == doc
    assert f"| `jobs` | `0` | {doc} |" in (copy / "docs/lsp.md").read_text(encoding="utf-8")
    assert "| `jobs` | `--jobs N` |" in (copy / "docs/scoring.md").read_text(encoding="utf-8")


def test_without_the_recipe_there_is_no_such_setting() -> None:
    """The probe above finds something the recipe added, not something already there."""
    done = subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--jobs" not in done.stdout
