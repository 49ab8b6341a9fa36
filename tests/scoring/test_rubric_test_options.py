"""`rubric test` takes the scoring settings of `rubric score`, generated from the one tree."""

from __future__ import annotations

import argparse

import pytest

from rubric_lsp.cli import main
from rubric_lsp.commands import mutation_test
from rubric_lsp.commands.score import BY_HAND, flag_of
from rubric_lsp.scoring.options import setting_fields


def parsed(*argv: str) -> argparse.Namespace:
    """`rubric test`'s arguments, parsed as the CLI parses them."""
    parser = argparse.ArgumentParser()
    mutation_test.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_every_setting_of_rubric_score_is_an_option() -> None:
    parser = argparse.ArgumentParser()
    mutation_test.add_arguments(parser)
    shown = parser.format_help()
    for field in setting_fields():
        if field.name not in BY_HAND:
            assert f"{flag_of(field)} " in shown, field.name


def test_the_settings_reach_every_scoring() -> None:
    args = parsed(
        "--python", "/opt/project/bin/python", "--max-files", "7", "--untrusted", "--no-cache",
        "--heal-threshold", "0.5", "--skip", "benchmark",
    )  # fmt: skip
    options = mutation_test.options_from(args)
    assert (options.python, options.max_files, options.trusted) == (
        "/opt/project/bin/python",
        7,
        False,
    )
    assert (options.use_cache, options.heal_threshold) == (False, 0.5)
    assert options.enabled == {"benchmark": False}
    assert (options.base, options.rubric) == ("HEAD", "")


def test_a_bad_setting_is_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["test", "--heal-threshold", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rubric test: --heal-threshold must lie between 0 and 1"), err
    assert err.count("\n") == 1
