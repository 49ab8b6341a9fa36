"""The warm pylint worker gives what a fresh pylint gives, edit after edit."""

from __future__ import annotations

from pathlib import Path

from support.critics import only
from support.gitrepo import edit, write

from rubric_lsp.scoring.engine import ScoreOptions, ScoreResult, run_scoring
from rubric_lsp.scoring.pylint_worker import PylintWorker

ONLY_LINT = only("pylint", "naming")


def _findings(result: ScoreResult) -> dict[str, list[tuple[str, int, str]]]:
    return {
        name: [(f.path, f.line, f.code) for f in result.criteria[name].findings]
        for name in ("style", "naming")
    }


async def test_warm_results_equal_cold_ones_after_edits(repo: Path) -> None:
    worker = PylintWorker()
    try:
        edits = [
            lambda: edit(
                repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = 1\n"
            ),
            lambda: write(
                repo,
                "calc/util.py",
                '"""Util."""\n\nimport os\n\nfrom calc.core import total\n\n\n'
                "def Twice(values):\n"
                '    """Twice the total."""\n'
                "    return 2 * total(values)\n",
            ),
            # The module util imports changes: its analysis must not come from the old one.
            lambda: edit(repo, "calc/core.py", "def total(values):", "def total_sum(values):"),
        ]
        for change in edits:
            change()
            warm = await run_scoring(
                ScoreOptions(repo=repo, enabled=ONLY_LINT, use_cache=False, pylint_runner=worker)
            )
            cold = await run_scoring(ScoreOptions(repo=repo, enabled=ONLY_LINT, use_cache=False))
            assert warm.criteria["style"].status == "scored", warm.criteria["style"].comment
            assert _findings(warm) == _findings(cold)
            assert warm.criteria["style"].score == cold.criteria["style"].score
        assert worker.runs >= 3 and worker.restarts == 0
        assert ("calc/util.py", 3, "W0611") in _findings(warm)["style"]
        assert ("calc/util.py", 8, "C0103") in _findings(warm)["naming"]
        # Seen only if the warm process re-read core.py after total was renamed.
        assert ("calc/util.py", 5, "E0611") in _findings(warm)["style"]
    finally:
        await worker.close()
