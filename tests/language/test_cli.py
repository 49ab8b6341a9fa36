"""The rubric CLI as users run it: output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import SEEDS

from rubric_lsp.cli import main

BROKEN = (
    "reward_rubric {\n"
    "  criterion correctness weight=\n"
    "  critrion docs weight=2\n"
    "}\n"
    "score {\n"
    "  correctness x\n"
    "}\n"
)


def run(*args: str) -> tuple[int, str, str]:
    """Run the installed console script, as a user or CI would."""
    done = subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", *args], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stdout, done.stderr


def test_check_seed_examples_exit_zero() -> None:
    code, out, err = run("check", str(SEEDS))
    assert (code, out, err) == (0, "", "")


def test_check_reports_every_error_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.rubric"
    path.write_text(BROKEN)
    code, out, _ = run("check", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:2:25: error: missing value after 'weight=' [syntax-error]",
        f"{path}:3:3: error: unknown field 'critrion' in reward_rubric; did you mean 'criterion'? "
        "[unknown-field]",
        f"{path}:6:15: error: unexpected 'x'; expected a number [syntax-error]",
    ]


def test_check_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.rubric"
    path.write_text(BROKEN)
    code, out, _ = run("check", "--format", "json", str(path))
    assert code == 1
    records = json.loads(out)
    assert records[0] == {
        "path": str(path),
        "range": {"start": {"line": 1, "character": 24}, "end": {"line": 1, "character": 31}},
        "severity": "error",
        "code": "syntax-error",
        "message": "missing value after 'weight='",
    }


def test_warnings_alone_exit_zero(tmp_path: Path) -> None:
    path = tmp_path / "w.rubric"
    path.write_text("reward_rubric { criterion a weight=9 criterion b }\n")
    code, out, _ = run("check", str(path))
    assert code == 0
    assert "warning:" in out and "[dominant-weight]" in out


def test_check_missing_file_is_a_one_line_error() -> None:
    code, out, err = run("check", "no/such.rubric")
    assert code == 2 and out == ""
    assert err == "rubric check: no/such.rubric: no such file or directory\n"


def test_check_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.rubric"
    path.write_bytes(b"reward_rubric { criterion a }\n# caf\xe9\n")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert out.startswith(f"{path}:2:6: error: not valid UTF-8 (byte 0xe9 at offset 35)")


def test_usage_error_exits_two() -> None:
    code, _, err = run("check")
    assert code == 2 and "usage:" in err


def test_eval_first_attempt_is_rejected() -> None:
    code, out, _ = run("eval", "--format", "json", str(SEEDS / "workflow_first_attempt.rubric"))
    assert code == 1
    result = json.loads(out)
    assert result["total"] == 20 and result["max_total"] == 30
    assert result["accepted"] is False
    assert result["failed_rules"] == ["total_gte 27", "minimum tests 4"]


def test_eval_rescore_is_accepted() -> None:
    code, out, _ = run("eval", "--format", "json", str(SEEDS / "workflow.rubric"))
    assert code == 0
    result = json.loads(out)
    assert result["total"] == 27 and result["accepted"] is True and result["failed_rules"] == []
    assert result["criteria"]["tests"]["points"] == 5


def test_eval_text_shows_rules_and_verdict() -> None:
    code, out, _ = run("eval", str(SEEDS / "workflow_first_attempt.rubric"))
    assert code == 1
    assert "FAIL  total_gte 27  (total 20 vs 27)" in out
    assert "pass  minimum correctness 4" in out
    assert out.rstrip().endswith("verdict: rejected")


def test_eval_with_errors_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "broken.rubric"
    path.write_text(BROKEN)
    code, out, err = run("eval", str(path))
    assert code == 2 and out == ""
    assert "missing value after 'weight='" in err


def test_eval_review_flag(tmp_path: Path) -> None:
    path = tmp_path / "r.rubric"
    path.write_text(
        "reward_rubric { criterion a criterion b }\nscore { a 3 b 3 }\n"
        "accept_if { weighted_gte 0.5 }\nreview_if { weighted_between 0.5 0.7 }\n"
    )
    code, out, _ = run("eval", "--format", "json", str(path))
    result = json.loads(out)
    assert code == 0 and result["accepted"] is True and result["review"] is True
    assert result["final_score"] == pytest.approx(0.6)


def test_main_returns_exit_code_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEEDS / "dsl.rubric")]) == 0
    assert capsys.readouterr().out == ""


def test_byte_order_mark_is_accepted_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.rubric"
    path.write_bytes(b"\xef\xbb\xbfreward_rubric {criterion a}\n")
    assert run("check", str(path))[0] == 0
    assert run("fmt", str(path))[0] == 0
    assert path.read_bytes() == b"\xef\xbb\xbfreward_rubric {\n  criterion a\n}\n"


def test_fmt_check_and_refusal(tmp_path: Path) -> None:
    good, broken = tmp_path / "good.rubric", tmp_path / "broken.rubric"
    good.write_text("reward_rubric { criterion a }\n")
    broken.write_text(BROKEN)
    code, out, err = run("fmt", "--check", str(good), str(broken))
    assert code == 1
    assert out == f"{good}: would be reformatted\n"
    assert err.startswith(f"{broken}:2:25: not formatted: fix the syntax error first")
    assert broken.read_text() == BROKEN and good.read_text() == "reward_rubric { criterion a }\n"
    code, out, _ = run("fmt", "--diff", str(good))
    assert code == 0 and "+  criterion a" in out
    assert run("fmt", str(good))[0] == 0
    assert good.read_text() == "reward_rubric {\n  criterion a\n}\n"
    assert run("fmt", "--check", str(good)) == (0, "", "")


def test_python_api_is_exported() -> None:
    import rubric_lsp
    from rubric_lsp.scoring.api import score

    assert rubric_lsp.score is score
    with pytest.raises(AttributeError):
        _ = rubric_lsp.no_such_thing  # type: ignore[attr-defined]
