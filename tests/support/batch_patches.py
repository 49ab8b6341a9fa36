"""Real patches on the fixture package, made with git, for the batch tests."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rubric_lsp.language.evaluate import Evaluation
from rubric_lsp.language.parser import parse
from rubric_lsp.scoring.result import CriterionScore, ScoreResult

from .gitrepo import git
from .processes import running

# The rubric of the environment running the tests, beside its Python.
RUBRIC = str(Path(sys.executable).with_name("rubric"))

# Static checks only: the batch tests compare scores, and the benchmark's timings vary.
STATIC = ("--skip", "benchmark", "--skip", "tests", "--skip", "coverage")

# Each edit is (file, old text, new text); each patch is a list of edits.
EDITS: dict[str, list[tuple[str, str, str]]] = {
    "docstring": [("calc/core.py", '    """Sum the values."""\n', "")],
    "shadow": [("calc/core.py", "    result = 0\n", "    result = 0\n    list = []\n")],
    "bare-except": [
        (
            "calc/core.py",
            "    except ValueError as error:",
            "    except:  # noqa\n        error = None\n    except ValueError as error:",
        )
    ],
    "helper": [
        (
            "calc/core.py",
            "def list_dir(path):",
            'def mean(values):\n    """The average."""\n    return total(values) / len(values)\n\n\ndef list_dir(path):',
        )
    ],
    "two-files": [
        (
            "calc/__init__.py",
            '"""A small calculator package."""\n',
            '"""A small calculator package."""\n\nfrom calc.core import total as x\n',
        ),
        ("calc/core.py", "    return result\n", "    return result  # sum\n"),
    ],
}

BROKEN = "--- a/calc/core.py\n+++ b/calc/core.py\n@@ -1,1 +1,1 @@\n-no such line\n+anything\n"


def make_patch(repo: Path, edits: list[tuple[str, str, str]]) -> str:
    """The unified diff of the edits against HEAD; the tree is left as it was."""
    originals = {name: (repo / name).read_text() for name, _, _ in edits}
    try:
        for name, old, new in edits:
            text = (repo / name).read_text()
            assert old in text, f"{old!r} not in {name}"
            (repo / name).write_text(text.replace(old, new, 1))
        return git(repo, "diff")
    finally:
        for name, text in originals.items():
            (repo / name).write_text(text)


def patches(repo: Path) -> dict[str, str]:
    """Each named edit's diff against the fixture's HEAD."""
    return {name: make_patch(repo, edits) for name, edits in EDITS.items()}


def batch_file(folder: Path, items: dict[str, str]) -> Path:
    """A JSON Lines input file of {id, patch}."""
    path = folder / "batch.jsonl"
    path.write_text("".join(json.dumps({"id": i, "patch": p}) + "\n" for i, p in items.items()))
    return path


def score_alone(repo: Path, patch: str, *extra: str) -> dict[str, object]:
    """`rubric score --patch` of one patch, as its JSON."""
    done = subprocess.run(
        [RUBRIC, "score", "--repo", str(repo), "--patch", "-", "--format", "json", *extra],
        input=patch,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def comparable(line: dict[str, object]) -> dict[str, object]:
    """A result's JSON without what differs between two runs of the same patch."""
    return {k: v for k, v in line.items() if k not in ("seconds", "id", "advantage")}


# A test that starts a marked grandchild and then hangs: the tests check never ends alone.
HANG_SECONDS = "4321"
HANGING_TEST = f"""\
import subprocess
import time


def test_hangs():
    subprocess.Popen(["sleep", "{HANG_SECONDS}"])
    time.sleep(600)
"""


def hanging_patch(repo: Path) -> str:
    """A patch adding a test that never finishes (and leaves a `sleep` behind if not ended)."""
    target = repo / "tests" / "test_hang.py"
    target.write_text(HANGING_TEST)
    try:
        git(repo, "add", "-N", "tests/test_hang.py")
        return git(repo, "diff")
    finally:
        git(repo, "rm", "-q", "--cached", "tests/test_hang.py")
        target.unlink()


def hanging_processes() -> list[int]:
    """Pids of the hanging test's marked `sleep`, wherever it ended up."""
    return running("sleep", HANG_SECONDS)


def leftovers(repo: Path, owner: int) -> list[str]:
    """Worktree registrations under the repository and rubric temporary folders of ``owner``."""
    left = [str(p) for p in (repo / ".git" / "worktrees").glob("*")]
    for folder in Path(tempfile.gettempdir()).glob("rubric-s*"):
        try:
            record = json.loads((folder / "rubric-owner").read_text())
        except (OSError, ValueError):
            continue
        if record.get("pid") == owner:
            left.append(str(folder))
    return left


def fake_result(score: float) -> ScoreResult:
    """A ScoreResult with one scored criterion, for the arithmetic on rewards alone."""
    criterion = CriterionScore(
        "style", score, score, 1.0, "pylint", "scored", "", (), (), "measured"
    )
    evaluation = Evaluation({}, score, 1.0, score, None, False)
    document = parse("reward_rubric {\n  criterion style\n}\n")
    return ScoreResult(
        "r", "r", None, "HEAD", (), {"style": criterion}, evaluation, 0.8, True, 0.0, document
    )
