"""One scoring settings tree: its fields are the CLI's options and the API's keywords."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
from pathlib import Path

import attrs
import pytest
from support.gitrepo import edit

import rubric_lsp
from rubric_lsp.commands import score as command
from rubric_lsp.commands.output import error_line, verdict_line
from rubric_lsp.scoring import engine
from rubric_lsp.scoring.critic import Context, CriticResult
from rubric_lsp.scoring.options import (
    DEFAULTS,
    DOC,
    CheckOverride,
    ScoreOptions,
    ScoringSettings,
    one_line,
    setting_fields,
)
from rubric_lsp.scoring.proc import ScoringError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rubric score")
    command.add_arguments(parser)
    return parser


@pytest.mark.parametrize("kind", [ScoringSettings, CheckOverride])
def test_every_field_has_a_default_and_one_sentence(kind: type) -> None:
    for field in attrs.fields(kind):
        assert field.default is not attrs.NOTHING, field.name
        doc = one_line(field.metadata[DOC])
        assert doc.endswith(".") and doc[0].isupper(), field.name


def test_every_setting_is_an_option_of_rubric_score_with_its_doc_and_default() -> None:
    parser = _parser()
    by_dest = {action.dest: action for action in parser._actions}
    for field in setting_fields():
        if field.name in command.BY_HAND:
            for flag in command.BY_HAND[field.name]:
                assert flag in parser._option_string_actions, flag
            continue
        action = by_dest[field.name]
        assert command.flag_of(field) in action.option_strings
        assert action.default == getattr(DEFAULTS, field.name)
        assert action.help is not None
        doc = one_line(field.metadata.get("flag_help", field.metadata[DOC]))
        assert action.help.replace("%%", "%").startswith(doc)


def test_defaults_on_the_command_line_are_the_trees() -> None:
    options = command.options_from(_parser().parse_args([]))
    for field in setting_fields():
        assert getattr(options, field.name) == getattr(DEFAULTS, field.name), field.name
    flipped = command.options_from(_parser().parse_args(["--untrusted", "--no-cache"]))
    assert flipped.trusted is False and flipped.use_cache is False


def test_a_value_out_of_range_names_the_option() -> None:
    with pytest.raises(ScoringError, match=r"^--heal-threshold must lie between 0 and 1$"):
        command.options_from(_parser().parse_args(["--heal-threshold", "1.5"]))
    with pytest.raises(ScoringError, match=r"^heal_threshold must lie between 0 and 1$"):
        rubric_lsp.score(heal_threshold=-0.1)


def test_the_api_takes_every_setting_as_a_keyword_defaulted_from_the_tree() -> None:
    parameters = inspect.signature(rubric_lsp.score).parameters
    for field in setting_fields():
        parameter = parameters[field.name]
        if field.name not in ("rubric", "base"):
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
            assert parameter.default == getattr(DEFAULTS, field.name)
        assert field.name in (rubric_lsp.score.__doc__ or "")
    assert parameters["base"].default == DEFAULTS.base
    with pytest.raises(TypeError, match="unexpected keyword argument 'trustd'"):
        rubric_lsp.score(trustd=False)


def test_critics_give_the_engine_its_overrides() -> None:
    options = ScoreOptions(
        critics={"tests": CheckOverride(timeout=9), "pylint": CheckOverride(False)}
    )
    assert options.enabled == {"tests": True, "pylint": False}
    assert options.timeouts == {"tests": 9}
    assert ScoreOptions(critics={"tests": CheckOverride(False)}, enabled={}).enabled == {}


def test_the_lines_each_written_in_one_place() -> None:
    assert error_line("score", "x.rubric:2:3: bad") == "rubric score: x.rubric:2:3: bad"
    assert error_line(None, "interrupted") == "rubric: interrupted"
    assert verdict_line("accepted") == "verdict: accepted"


class _Crashing:
    name = "docstrings"
    executes_code = False
    default_timeout = 30.0

    async def run(self, context: Context) -> CriticResult:
        await asyncio.sleep(0)
        raise KeyError("no-such-key-in-the-critic")


def test_log_file_keeps_a_crashed_checks_traceback(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report says the check failed; the log file says where, with the traceback."""
    edit(repo, "calc/core.py", "Arithmetic and parsing helpers.", "Arithmetic helpers.")
    real = engine.registry()
    monkeypatch.setattr(engine, "registry", lambda: {**real, "docstrings": _Crashing()})
    log = tmp_path / "score.log"
    args = _parser().parse_args(
        ["--repo", str(repo), "--only", "docstrings", "--format", "json", "--log-file", str(log)]
    )
    command.run(args)
    captured = capsys.readouterr()
    assert '"docstrings failed: ' in captured.out and "no-such-key-in-the-critic" in captured.out
    assert captured.err == ""
    text = log.read_text(encoding="utf-8")
    assert "docstrings crashed" in text and "Traceback (most recent call last)" in text
    assert "KeyError: 'no-such-key-in-the-critic'" in text
    # The handler goes with the run: nothing more is written to the file.
    assert all(getattr(h, "baseFilename", None) != str(log) for h in logging.getLogger().handlers)


def test_log_file_that_cannot_be_opened_is_a_one_line_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(["--repo", str(repo), "--log-file", str(repo / "no" / "such.log")])
    assert command.run(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rubric score: --log-file ") and err.count("\n") == 1


def test_every_setting_has_a_row_in_docs_scoring_md_with_its_option() -> None:
    reference = (Path(__file__).parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(): line
        for line in reference.splitlines()
        if line.startswith("| `")
    }
    for field in setting_fields():
        row = rows[f"`{field.name}`"]
        flags = command.BY_HAND.get(field.name, (command.flag_of(field),))
        assert all(f"`{flag}" in row for flag in flags), row
