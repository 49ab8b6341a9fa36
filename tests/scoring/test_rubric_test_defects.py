"""Each defect transformation plants its defect, keeps the file valid and edits only its spot."""

from __future__ import annotations

import ast

import pytest

from rubric_lsp.scoring.mutations.catalogue import BY_NAME, DEFECTS
from rubric_lsp.scoring.mutations.source import Source
from rubric_lsp.scoring.mutations.twins import file_section, is_valid_twin

CODE = '''\
"""Ports."""

import os


class ConfigError(ValueError):
    """Bad configuration."""


def parse_port(text):
    """Parse a TCP port number."""
    try:
        port = int(text)
    except ValueError as error:
        raise ConfigError(f"not a port: {text}") from error
    if not 0 < port < 65536:
        raise ConfigError("out of range")
    return port


def home_port(default):
    """The port in $PORT, else the default."""
    chosen = os.environ.get("PORT")
    if chosen is None:
        return default
    return parse_port(chosen)
'''

# The change added home_port (lines 21-26); parse_port is in the base already.
BASE = CODE.split("def home_port")[0].rstrip() + "\n"
ADDED = frozenset(range(21, 27))
SOURCE = Source("ports/core.py", CODE, ADDED, BASE)

TESTS = """\
from ports.core import home_port


def test_default():
    assert home_port(80) == 80


def test_env(monkeypatch):
    monkeypatch.setenv("PORT", "81")
    assert home_port(80) == 81
"""


def planted(name: str, source: Source = SOURCE) -> str:
    twin = BY_NAME[name].transform(source)
    assert twin is not None and is_valid_twin(source.text, twin)
    return twin


def functions(text: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(text)
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def changed_lines(before: str, after: str) -> set[str]:
    return set(after.splitlines()) - set(before.splitlines())


def test_every_defect_is_declared_with_a_check_of_the_catalogue() -> None:
    from rubric_lsp.language.catalogue import DECLARED

    assert len(DEFECTS) == 10
    assert {d.check for d in DEFECTS} <= set(DECLARED)


def test_shell_command_runs_a_built_string_through_the_shell_in_the_changed_function() -> None:
    twin = planted("shell-command")
    body = ast.unparse(functions(twin)["home_port"])
    assert "shell=True" in body and "import subprocess" in twin
    assert ast.get_docstring(functions(twin)["home_port"]) == "The port in $PORT, else the default."


def test_eval_is_added_to_the_changed_function() -> None:
    assert "eval('None')" in ast.unparse(functions(planted("eval"))["home_port"])


def test_removed_handler_prefers_a_handler_the_base_had() -> None:
    twin = planted("removed-handler")
    parse_port = functions(twin)["parse_port"]
    assert not any(isinstance(n, ast.Try) for n in ast.walk(parse_port))
    assert "    port = int(text)" in twin.splitlines()


def test_swallowed_exception_empties_a_handler_or_wraps_the_body() -> None:
    twin = planted("swallowed-exception")
    handler = next(
        n for n in ast.walk(functions(twin)["parse_port"]) if isinstance(n, ast.ExceptHandler)
    )
    assert [type(s) for s in handler.body] == [ast.Pass]
    no_handler = Source("m.py", "def f(x):\n    y = x + 1\n    return y\n", frozenset({2}))
    wrapped = functions(planted("swallowed-exception", no_handler))["f"]
    assert isinstance(wrapped.body[0], ast.Try)


def test_stripped_docstring_takes_the_changed_functions() -> None:
    twin = planted("stripped-docstring")
    assert ast.get_docstring(functions(twin)["home_port"]) is None
    assert ast.get_docstring(functions(twin)["parse_port"]) is not None


def test_short_names_renames_locals_not_parameters() -> None:
    twin = planted("short-names")
    home = functions(twin)["home_port"]
    assigned = {
        n.id for n in ast.walk(home) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    assert assigned and all(len(name) == 1 for name in assigned)
    assert [a.arg for a in home.args.args] == ["default"]


def test_nested_branch_adds_ten_decision_points() -> None:
    from radon.complexity import cc_visit

    before = {b.name: b.complexity for b in cc_visit(CODE)}
    after = {b.name: b.complexity for b in cc_visit(planted("nested-branch"))}
    assert after["home_port"] - before["home_port"] == 10


def test_unused_import_goes_with_the_imports() -> None:
    twin = planted("unused-import")
    assert changed_lines(CODE, twin) == {"import colorsys"}
    assert twin.index("import colorsys") > twin.index("import os")


def test_no_unused_import_in_a_package_init() -> None:
    """An import in ``__init__.py`` is a re-export: pylint reports none, so no twin."""
    init = Source("ports/__init__.py", CODE, ADDED, BASE)
    assert BY_NAME["unused-import"].transform(init) is None


def test_flipped_comparison_prefers_the_changes_lines() -> None:
    assert changed_lines(CODE, planted("flipped-comparison")) == {"    if chosen is not None:"}


def test_flipped_comparison_only_where_the_tests_ran() -> None:
    """With coverage known, a comparison no test ran is not flipped: it could break none."""
    line = CODE.splitlines().index("    if chosen is None:") + 1
    ran = Source("ports/core.py", CODE, ADDED, BASE, covered=frozenset({line}))
    assert changed_lines(CODE, planted("flipped-comparison", ran)) == {"    if chosen is not None:"}
    untested = Source("ports/core.py", CODE, ADDED, BASE, covered=ADDED - {line})
    assert BY_NAME["flipped-comparison"].transform(untested) is None


def test_deleted_tests_removes_the_changes_tests_only() -> None:
    source = Source("tests/test_ports.py", TESTS, frozenset(range(8, 11)))
    twin = planted("deleted-tests", source)
    assert set(functions(twin)) == {"test_default"}
    assert not twin.endswith("\n\n")


def test_deleted_tests_takes_the_imports_only_they_used() -> None:
    text = (
        "import os\nimport pytest\nfrom m import a, b\n\n\n"
        "def test_a():\n    assert a() == os.sep\n\n\n"
        "@pytest.mark.slow\ndef test_b():\n    assert b()\n"
    )
    twin = planted("deleted-tests", Source("tests/test_m.py", text, frozenset({7})))
    assert (
        twin
        == "import pytest\nfrom m import b\n\n\n@pytest.mark.slow\ndef test_b():\n    assert b()\n"
    )


def test_a_file_that_offers_nothing_gives_no_twin() -> None:
    bare = Source("m.py", "VALUE = 1\n", frozenset({1}))
    for name in ("removed-handler", "stripped-docstring", "short-names", "flipped-comparison"):
        assert BY_NAME[name].transform(bare) is None


@pytest.mark.parametrize("old", [None, "a = 1\n", "a = 1"])
def test_a_file_section_applies_with_git(tmp_path, old: str | None) -> None:
    import subprocess

    if old is not None:
        (tmp_path / "m.py").write_text(old)
    section = file_section("m.py", old, "a = 2\nb = 3")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=section.encode(), check=True)
    assert (tmp_path / "m.py").read_text() == "a = 2\nb = 3"


def test_statements_go_into_the_changed_function_even_without_a_docstring() -> None:
    text = "def documented():\n    '''Doc.'''\n    return 1\n\n\ndef bare(\n    value,\n):\n    return value\n"
    source = Source("m.py", text, frozenset({9}))
    for name in ("shell-command", "eval", "nested-branch"):
        twin = functions(planted(name, source))
        assert len(twin["bare"].body) == 2, name
        assert len(twin["documented"].body) == 2, name
