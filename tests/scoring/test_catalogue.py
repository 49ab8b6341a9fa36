"""The check catalogue and the registered critics say the same, and critics own their codes."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from support.gitrepo import edit, write

from rubric_lsp.language.catalogue import CATALOGUE, DECLARED
from rubric_lsp.language.checks import BUILTIN_CHECKS, EXECUTING_CHECKS
from rubric_lsp.language.parser import parse
from rubric_lsp.language.validate import validate
from rubric_lsp.scoring import engine
from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.critic import CheckSettings, Context, CriticResult, DeclaredCritic, registry
from rubric_lsp.scoring.critics.pylint import NAMING_SYMBOLS
from rubric_lsp.scoring.engine import ScoreOptions

CRITICS = registry()


def test_every_declared_check_has_one_critic_and_every_critic_a_declaration() -> None:
    assert list(CRITICS) == [check.name for check in CATALOGUE]
    for name, critic in CRITICS.items():
        assert critic.name == name
        assert critic.declaration is DECLARED[name]


@pytest.mark.parametrize("name", sorted(CRITICS))
def test_a_critic_runs_code_exactly_when_the_language_says_it_needs_trust(name: str) -> None:
    assert CRITICS[name].executes_code is (name in EXECUTING_CHECKS)


def test_default_bindings_pick_the_registered_critics() -> None:
    bound = {criterion: check.name for check in CATALOGUE for criterion in check.binds}
    text = "reward_rubric {\n" + "".join(f"  criterion {c} weight=1\n" for c in bound) + "}\n"
    document = parse(text)
    assert validate(document) == []
    planned = engine.plan(document, {}, CRITICS)
    assert {criterion: check for check, names in planned.items() for criterion in names} == bound


def test_the_language_accepts_every_registered_check_and_rejects_others() -> None:
    checks = "".join(f"  {name} timeout=5\n" for name in CRITICS)
    bindings = "".join(f"  criterion c_{name} weight=1 check={name}\n" for name in CRITICS)
    document = parse(f"reward_rubric {{\n{bindings}}}\nchecks {{\n{checks}}}\n")
    assert validate(document) == []
    assert set(BUILTIN_CHECKS) == {*CRITICS, "manual"}
    wrong = validate(parse("reward_rubric {\n  criterion x weight=1 check=pylnt\n}\n"))
    assert [d.code for d in wrong] == ["unknown-check"]


def test_naming_owns_the_message_ids_of_pylints_naming_checks() -> None:
    from pylint.lint import PyLinter

    linter = PyLinter()
    linter.load_default_plugins()
    ids = {
        definition.msgid
        for symbol in NAMING_SYMBOLS
        for definition in linter.msgs_store.get_message_definitions(symbol)
    }
    assert set(CRITICS["naming"].codes) == ids | {"non-descriptive-name"}
    assert all(CRITICS["pylint"].owns(code) for code in ids)


def test_every_finding_of_a_real_run_has_a_code_its_critic_owns(repo: Path) -> None:
    edit(repo, "calc/core.py", '["ls", path]', 'f"ls {path}", shell=True')
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    Unused_Name = 1\n")
    write(
        repo,
        "calc/extra.py",
        "def Branchy(a, b, c, d, e, f, g, h, i, j, k):\n"
        + "".join(f"    if {v}:\n        return {n}\n" for n, v in enumerate("abcdefghijk"))
        + "    try:\n        return 0\n    except:\n        pass\n",
    )
    edit(
        repo,
        "tests/test_core.py",
        "def test_total():",
        "def test_bad():\n    assert 0\n\n\ndef test_total():",
    )
    result = score(repo, enabled={"benchmark": False}, use_cache=False)
    seen: set[str] = set()
    for criterion in result.criteria.values():
        assert criterion.check is not None
        critic = CRITICS[criterion.check]
        for finding in criterion.findings:
            assert critic.owns(finding.code), (criterion.check, finding.code)
            seen.add(criterion.check)
    # The change gave every critic that reports findings something to report.
    assert seen == {name for name, critic in CRITICS.items() if critic.codes}


class _Crashing(DeclaredCritic, check="pylint"):
    async def run(self, context: Context) -> CriticResult:
        return CriticResult(1.0 / 0)


class _Slow(DeclaredCritic, check="coverage"):
    default_timeout = 30.0

    async def run(self, context: Context) -> CriticResult:
        await asyncio.sleep(30)
        return CriticResult(1.0)


def _context(tmp_path: Path, settings: dict[str, CheckSettings], needed: set[str]) -> Context:
    return Context(None, None, settings, None, tmp_path, frozenset(needed))  # type: ignore[arg-type]


async def test_a_crashing_critic_is_logged_with_its_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checks = {"pylint": ["style"]}
    with caplog.at_level(logging.ERROR, logger="rubric_lsp.scoring"):
        results = await engine.run_critics(
            checks, _context(tmp_path, {}, {"pylint"}), ScoreOptions(), {"pylint": _Crashing()}
        )
    assert results["pylint"].status == "error"
    assert results["pylint"].summary == "pylint failed: float division by zero"
    [record] = caplog.records
    assert "pylint" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "1.0 / 0" in caplog.text  # the traceback, with the failing line


async def test_a_check_measured_from_another_run_takes_its_timeout(tmp_path: Path) -> None:
    settings = {"tests": CheckSettings("tests", timeout=0.2)}
    results = await engine.run_critics(
        {"coverage": ["tests"]},
        _context(tmp_path, settings, {"coverage"}),
        ScoreOptions(),
        {"coverage": _Slow()},
    )
    assert results["coverage"].summary == "coverage timed out after 0.2 s"


def test_the_scoring_reference_lists_every_check_and_binding() -> None:
    reference = (Path(__file__).parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    section = reference.split("## Criteria and checks\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| `")]
    assert rows == [f"`{check.name}`" for check in CATALOGUE]
    prose = " ".join(section.split())
    for check in CATALOGUE:
        for criterion in check.binds:
            assert f"`{criterion}`→{check.name}" in prose


def test_a_critic_of_an_undeclared_check_fails_where_it_is_defined() -> None:
    with pytest.raises(TypeError, match=r"no check 'todos' in language/catalogue\.py"):

        class _Undeclared(DeclaredCritic, check="todos"):
            async def run(self, context: Context) -> CriticResult:
                return CriticResult(1.0)
