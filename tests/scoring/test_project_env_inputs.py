"""Small inputs that must not break the tests or coverage criteria."""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import init_repo, write

from rubric_lsp.scoring.api import score

RUBRIC = """reward_rubric {
  criterion correctness weight=1
  criterion tests weight=1
}
"""

TOOL = '"""Tools."""\n\n\ndef double(value):\n    """Twice the value."""\n    return value * 2\n'

TEST = """from app.tool import double


def test_double():
    assert double(21) == 42
"""


def _repo(tmp_path: Path, rubric: str = RUBRIC) -> Path:
    return init_repo(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/tool.py": '"""Tools."""\n',
            "tests/test_tool.py": "def test_nothing():\n    assert True\n",
            "project.rubric": rubric,
        },
    )


def test_a_new_empty_init_file_has_nothing_to_cover(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write(repo, "app/more/__init__.py", "")
    result = score(repo, use_cache=False)
    coverage = result.criteria["tests"]
    assert coverage.status == "scored", coverage.steps
    assert coverage.score == 1.0


def test_a_python_c_command_is_measured_as_it_is(tmp_path: Path) -> None:
    command = "python -c 'from app.tool import double; assert double(2) == 4'"
    repo = _repo(tmp_path, RUBRIC + f'checks {{\n  tests command="{command}"\n}}\n')
    write(repo, "app/tool.py", TOOL)
    result = score(repo, use_cache=False)
    assert result.criteria["correctness"].score == 1.0, result.criteria["correctness"].steps
    coverage = result.criteria["tests"]
    assert coverage.status == "scored", coverage.steps
    assert coverage.score == 1.0, coverage.steps
    # A failing one-liner still fails: the code really runs.
    write(repo, "project.rubric", RUBRIC + f'checks {{\n  tests command="{command[:-2]}5\'"\n}}\n')
    failed = score(repo, use_cache=False)
    assert failed.criteria["correctness"].score == 0.0, failed.criteria["correctness"].steps


def test_six_hundred_long_paths_fit_the_command_lines(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    folder = "app/" + "/".join(["d" * 60] * 3)
    write(repo, "app/tool.py", TOOL)
    write(repo, "tests/test_tool.py", TEST)
    for number in range(600):
        write(repo, f"{folder}/module_with_a_long_name_{number:04}.py", "VALUE = 1\n")
    result = score(repo, use_cache=False)
    assert result.criteria["correctness"].score == 1.0, result.criteria["correctness"].steps
    coverage = result.criteria["tests"]
    assert coverage.status == "scored", coverage.steps
    # tool.py's body ran (its def line ran on import, the test file is not counted); the
    # 600 modules did not run at all.
    assert coverage.evidence == {
        "changed_executable": 601,
        "missed": 600,
        "ran_on_import": 1,
        "in_test_files": 3,
    }, coverage.steps
