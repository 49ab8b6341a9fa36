"""The coverage share cannot be raised by adding lines that run without any test calling them.

Lines that run when a module is imported (an import, a constant, a ``def`` line) and
the lines of test files are not counted: adding them to a change whose code no test
runs used to raise its share, so a change scored better for an unused import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score

RUBRIC = """reward_rubric {
  criterion correctness weight=1
  criterion tests weight=1
}
checks {
  tests command="python -m pytest -q tests"
}
"""

# The tests import the module, and never call what the change adds.
TEST = "import app.tool\n\n\ndef test_imports():\n    assert app.tool\n"

UNTESTED = '''"""Tools."""


def shifted(value):
    """One more than the value, doubled."""
    more = value + 1
    return more * 2
'''


def _coverage(
    tmp_path: Path, tool: str, extra: dict[str, str] | None = None
) -> tuple[float, dict[str, Any]]:
    """Score a change that writes ``tool`` (and ``extra``) and return the tests criterion."""
    files = {
        "app/__init__.py": "",
        "app/tool.py": '"""Tools."""\n',
        "tests/test_tool.py": TEST,
        "project.rubric": RUBRIC,
    }
    repo = init_repo(tmp_path, files)
    (repo / "app" / "tool.py").write_text(tool)
    for path, text in (extra or {}).items():
        (repo / path).write_text(text)
    criterion = score(repo, use_cache=False).criteria["tests"]
    assert criterion.status == "scored", criterion.steps
    assert criterion.score is not None
    return criterion.score, criterion.evidence


def test_only_the_body_counts_when_no_test_calls_the_function(tmp_path: Path) -> None:
    value, evidence = _coverage(tmp_path, UNTESTED)
    # The def line ran on import; the two body lines never ran: a tenth each.
    assert value == 0.8
    assert evidence == {
        "changed_executable": 2,
        "missed": 2,
        "ran_on_import": 1,
        "in_test_files": 0,
    }


def test_an_unused_import_does_not_raise_the_share(tmp_path: Path) -> None:
    plain, _ = _coverage(tmp_path / "plain", UNTESTED)
    padded, evidence = _coverage(
        tmp_path / "padded",
        UNTESTED.replace('"""Tools."""\n', '"""Tools."""\n\nimport os\nLIMIT = 3\n'),
    )
    assert padded <= plain
    assert evidence["ran_on_import"] == 3


def test_a_test_file_that_calls_nothing_does_not_raise_the_share(tmp_path: Path) -> None:
    plain, _ = _coverage(tmp_path / "plain", UNTESTED)
    padding = "".join(f"\n\ndef test_nothing_{n}():\n    assert True\n" for n in range(5))
    padded, evidence = _coverage(
        tmp_path / "padded", UNTESTED, {"tests/test_more.py": padding.lstrip()}
    )
    assert padded <= plain
    assert evidence["in_test_files"] == 10


def test_a_module_never_imported_counts_every_line(tmp_path: Path) -> None:
    value, evidence = _coverage(
        tmp_path, UNTESTED, {"app/unused.py": "LIMIT = 3\nNAMES = ('a', 'b')\n"}
    )
    # Its two module-level lines did not run, so they count as missed.
    assert value == 0.6
    assert evidence["missed"] == 4 and evidence["changed_executable"] == 4


def test_a_called_function_is_covered(tmp_path: Path) -> None:
    files_test = TEST + "\n\ndef test_shifted():\n    assert app.tool.shifted(1) == 4\n"
    value, evidence = _coverage(tmp_path, UNTESTED, {"tests/test_tool.py": files_test})
    assert value == 1.0
    assert evidence["changed_executable"] == 2 and evidence["missed"] == 0


TESTED = TEST + "\n\ndef test_shifted():\n    assert app.tool.shifted(1) == 4\n"


def test_one_untested_line_costs_a_tenth_not_the_whole_criterion(tmp_path: Path) -> None:
    tool = UNTESTED + '\n\ndef halved(value):\n    """Half the value."""\n    return value / 2\n'
    value, evidence = _coverage(tmp_path, tool, {"tests/test_tool.py": TESTED})
    assert evidence["changed_executable"] == 3 and evidence["missed"] == 1
    # The share would be 2/3; below ten counted lines each missed line costs 1/10.
    assert value == 0.9


def test_covered_lines_added_to_a_small_change_do_not_raise_its_score(tmp_path: Path) -> None:
    tool = UNTESTED + '\n\ndef halved(value):\n    """Half the value."""\n    return value / 2\n'
    plain, _ = _coverage(tmp_path / "plain", tool, {"tests/test_tool.py": TESTED})
    padded_tool = tool + "".join(
        f'\n\ndef pad_{n}(value):\n    """Pad."""\n    return value + {n}\n' for n in range(4)
    )
    calls = "".join(
        f"\n\ndef test_pad_{n}():\n    assert app.tool.pad_{n}(0) == {n}\n" for n in range(4)
    )
    padded, evidence = _coverage(
        tmp_path / "padded", padded_tool, {"tests/test_tool.py": TESTED + calls}
    )
    assert evidence["changed_executable"] == 7 and evidence["missed"] == 1
    assert padded == plain


def test_from_ten_counted_lines_the_score_is_the_share(tmp_path: Path) -> None:
    body = "".join(f"    step_{n} = value + {n}\n" for n in range(11))
    tool = f'"""Tools."""\n\n\ndef long(value):\n    """Steps."""\n{body}    return step_10\n'
    value, evidence = _coverage(tmp_path, tool)
    assert evidence["changed_executable"] == 12 and evidence["missed"] == 12
    assert value == 0.0
