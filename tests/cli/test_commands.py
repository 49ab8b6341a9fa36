"""`rubric schema`, `rubric init`, `rubric diff`, `--help` and `python -m rubric_lsp`."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from support.gitrepo import init_repo
from support.report_change import make_change

from rubric_lsp.commands.diff import compare
from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.reports.contract import report_schema

RUBRIC = [sys.executable, "-m", "rubric_lsp"]


def rubric(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI through `python -m rubric_lsp`, as a user may start it."""
    return subprocess.run([*RUBRIC, *args], cwd=cwd, capture_output=True, text=True, env=os.environ)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """JSON reports of two revisions: the fixture before and after the reported change."""
    repo = init_repo(tmp_path_factory.mktemp("diff") / "calc")
    before, after = repo.parent / "before.json", repo.parent / "after.json"
    quick = (
        "score",
        "--only",
        "bandit",
        "--only",
        "pylint",
        "--only",
        "naming",
        "--format",
        "json",
    )
    subprocess.run([*RUBRIC, *quick, "-o", str(before)], cwd=repo, check=False)
    make_change(repo)
    subprocess.run([*RUBRIC, *quick, "-o", str(after)], cwd=repo, check=False)
    return before, after


def test_every_json_report_matches_rubric_schema(
    reports: tuple[Path, Path], tmp_path: Path
) -> None:
    printed = rubric("schema", cwd=tmp_path)
    assert printed.returncode == 0
    schema = json.loads(printed.stdout)
    assert schema == report_schema()
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    for path in reports:
        validator.validate(json.loads(path.read_text()))


def test_the_schema_rejects_an_absolute_path_and_an_unknown_status(
    reports: tuple[Path, Path],
) -> None:
    data = json.loads(reports[1].read_text())
    validator = jsonschema.Draft202012Validator(report_schema())
    data["changed_files"] = ["/abs/calc/core.py"]
    assert not validator.is_valid(data)
    data = json.loads(reports[1].read_text())
    next(iter(data["criteria"].values()))["status"] = "fine"
    assert not validator.is_valid(data)


def test_init_writes_a_valid_starter_rubric_and_never_overwrites(tmp_path: Path) -> None:
    project = tmp_path / "calc"
    project.mkdir()
    done = rubric("init", cwd=project)
    assert done.returncode == 0, done.stderr
    written = project / "calc.rubric"
    assert "criterion correctness" in written.read_text()
    assert rubric("check", str(written), cwd=project).returncode == 0
    written.write_text("# mine\n")
    again = rubric("init", "calc.rubric", cwd=project)
    assert again.returncode == 2
    assert again.stderr == "rubric init: calc.rubric: already exists; not overwritten\n"
    assert written.read_text() == "# mine\n"
    other = rubric("init", "other.rubric", cwd=project)
    assert other.returncode == 2 and "already has calc.rubric" in other.stderr
    assert not (project / "other.rubric").exists()


def test_diff_names_deltas_findings_and_flipped_rules(
    reports: tuple[Path, Path], tmp_path: Path
) -> None:
    before, after = reports
    done = rubric("diff", str(before), str(after), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    diff = json.loads(done.stdout)
    assert diff["criteria"]["security"]["before"] == 1.0
    assert diff["criteria"]["security"]["delta"] == -0.5
    introduced = {(f["criterion"], f["path"], f["code"]) for f in diff["introduced"]}
    assert ("security", "calc/core.py", "B602") in introduced
    assert diff["fixed"] == []
    assert {"rule": "weighted_gte 0.8", "before": True, "after": False} in diff["rules_flipped"]
    backwards = json.loads(
        rubric("diff", str(after), str(before), "--format", "json", cwd=tmp_path).stdout
    )
    assert {(f["criterion"], f["code"]) for f in backwards["fixed"]} >= {("security", "B602")}
    text = rubric("diff", str(before), str(after), cwd=tmp_path).stdout
    assert "security: 1.00 -> 0.50 -0.50" in text and "rule weighted_gte 0.8: pass -> FAIL" in text
    markdown = rubric("diff", str(before), str(after), "--format", "markdown", cwd=tmp_path).stdout
    assert "| security | 1.00 | 0.50 | -0.50 |" in markdown
    assert "`calc/core.py` B602" in markdown


def test_a_finding_that_only_moved_is_neither_fixed_nor_introduced(
    reports: tuple[Path, Path],
) -> None:
    after = json.loads(reports[1].read_text())
    moved = json.loads(reports[1].read_text())
    for criterion in moved["criteria"].values():
        criterion["findings"] = [
            {**finding, "line": finding["line"] + 7} for finding in criterion["findings"]
        ]
    diff = compare(after, moved)
    assert diff.fixed == [] and diff.introduced == [] and diff.flipped == []
    assert dataclasses.is_dataclass(Finding)


def test_diff_of_a_file_that_is_not_a_report_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[1]")
    done = rubric("diff", "a.json", "missing.json", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "not a `rubric score --format json` report" in done.stderr


def test_help_lists_exit_codes_checks_and_formats(tmp_path: Path) -> None:
    top = rubric("--help", cwd=tmp_path).stdout
    assert "exit status:" in top and "2  usage, configuration or repository error" in top
    for command in ("diff", "init", "schema", "score", "check"):
        assert command in top
    score = rubric("score", "--help", cwd=tmp_path).stdout
    assert "formats: text, json, sarif, markdown, rubric, rdjson, github, gitlab" in score
    for check in ("tests", "coverage", "pylint", "bandit", "naming", "manual"):
        assert f"\n  {check} " in score
    assert "--exit-zero" in score and "130 interrupted" in score


def test_bash_completion_completes_commands_and_formats(tmp_path: Path) -> None:
    script = rubric("completion", "bash", cwd=tmp_path).stdout
    (tmp_path / "rubric.bash").write_text(script)

    def complete(*words: str) -> set[str]:
        line = " ".join(f"'{w}'" for w in words)
        probe = (
            f"source {tmp_path / 'rubric.bash'}; COMP_WORDS=({line}); "
            f'COMP_CWORD={len(words) - 1}; COMP_LINE="{" ".join(words)}"; '
            f"COMP_POINT=${{#COMP_LINE}}; _shtab_rubric; printf '%s\\n' \"${{COMPREPLY[@]}}\""
        )
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
        return {word.strip() for word in done.stdout.split()}

    assert {"score", "diff", "init", "schema", "check"} <= complete("rubric", "")
    assert {"sarif", "rdjson", "github", "gitlab"} <= complete("rubric", "score", "--format", "")
