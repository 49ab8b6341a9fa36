"""Pure parsers of tool output and pure scoring formulas, on small canned samples."""

from __future__ import annotations

import pytest

from rubric_lsp.scoring.critic import Finding
from rubric_lsp.scoring.critics import benchmark, complexity, error_handling
from rubric_lsp.scoring.critics.bandit import bandit_score
from rubric_lsp.scoring.critics.bandit import parse_json as parse_bandit
from rubric_lsp.scoring.critics.pylint import parse_json2, pylint_score
from rubric_lsp.scoring.critics.tests import command_argv, is_pytest, parse_junit
from rubric_lsp.scoring.diff import parse_diff
from rubric_lsp.scoring.pysource import caused_by_change, functions, parse

PYLINT_JSON2 = """
{"messages": [
  {"type": "warning", "symbol": "unused-variable", "message": "Unused variable 'unused'",
   "messageId": "W0612", "confidence": "UNDEFINED", "module": "m", "obj": "f", "line": 4,
   "column": 4, "endLine": 4, "endColumn": 10, "path": "m.py", "absolutePath": "/tmp/pl/m.py"},
  {"type": "error", "symbol": "undefined-variable", "message": "Undefined variable 'x'",
   "messageId": "E0602", "confidence": "UNDEFINED", "module": "m", "obj": "f", "line": 5,
   "column": 11, "endLine": null, "endColumn": null, "path": "m.py",
   "absolutePath": "/tmp/pl/m.py"}],
 "statistics": {"messageTypeCount": {"warning": 1, "error": 1}, "modulesLinted": 1, "score": 0}}
"""

BANDIT_JSON = """
{"errors": [], "results": [
  {"code": "3 subprocess.run(c,\\n4   shell=True)\\n", "col_offset": 4, "end_col_offset": 29,
   "filename": "/r/s.py", "issue_confidence": "HIGH", "issue_severity": "HIGH",
   "issue_text": "subprocess call with shell=True identified, security issue.",
   "line_number": 4, "line_range": [3, 4], "test_id": "B602",
   "test_name": "subprocess_popen_with_shell_equals_true"},
  {"col_offset": 0, "filename": "/r/s.py", "issue_confidence": "MEDIUM",
   "issue_severity": "LOW", "issue_text": "Consider possible security implications.",
   "line_number": 1, "line_range": [1], "test_id": "B404", "test_name": "blacklist"}]}
"""

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="3"/>
<testcase classname="tests.test_a" name="test_ok2" file="tests/test_a.py" line="6"/>
<testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" line="9">
  <failure message="assert 1 == 2">long traceback</failure></testcase>
<testcase classname="tests.test_a" name="test_err" file="tests/test_a.py" line="12">
  <error message="fixture 'db' not found">...</error></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped message="later"/></testcase>
</testsuite></testsuites>
"""


def test_pylint_json2() -> None:
    messages = parse_json2(PYLINT_JSON2)
    assert [(m.message_id, m.symbol, m.line, m.column) for m in messages] == [
        ("W0612", "unused-variable", 4, 4),
        ("E0602", "undefined-variable", 5, 11),
    ]
    findings = [m.finding("m.py") for m in messages]
    assert [(f.code, f.symbol, f.severity, f.penalty) for f in findings] == [
        ("W0612", "unused-variable", "warning", 1.0),
        ("E0602", "undefined-variable", "error", 5.0),
    ]
    # Counted, weighed as pylint weighs them: 10 / (10 + 5 errors + 1 warning).
    assert pylint_score(findings) == pytest.approx(10 / 16)
    assert pylint_score([]) == 1.0


def test_bandit_json() -> None:
    issues = parse_bandit(BANDIT_JSON)
    assert [(i.test_id, i.line, i.line_range, i.severity, i.confidence) for i in issues] == [
        ("B602", 4, (3, 4), "HIGH", "HIGH"),
        ("B404", 1, (1,), "LOW", "MEDIUM"),
    ]
    findings = [i.finding("s.py") for i in issues]
    assert (findings[0].line, findings[0].end_line) == (3, 4)
    assert [f.penalty for f in findings] == pytest.approx([0.5, 0.1 * 0.7])
    assert bandit_score(findings) == pytest.approx(1 - 0.5 - 0.07)
    assert bandit_score(findings * 3) == 0.0


def test_junit_counts_and_failures() -> None:
    summary = parse_junit(JUNIT)
    assert (summary.collected, summary.passed, summary.failed, summary.errors, summary.skipped) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert [(f.test_id, f.message, f.line) for f in summary.failures] == [
        ("tests.test_a::test_bad", "assert 1 == 2", 10),
        ("tests.test_a::test_err", "fixture 'db' not found", 13),
    ]


def test_test_command_rewriting(tmp_path) -> None:
    junit, data = tmp_path / "j.xml", tmp_path / "cov"
    assert is_pytest(["pytest", "-q"]) and is_pytest(["python", "-m", "pytest"])
    assert not is_pytest(["make", "test"])
    argv, measured = command_argv("pytest -q tests", junit, data, ["/r/a.py"])
    assert measured and argv[1:4] == ["-m", "coverage", "run"]
    assert argv[4:7] == [f"--rcfile={data}.rc", f"--data-file={data}", "--include=/r/a.py"]
    assert argv[7:11] == ["-m", "pytest", "-q", "tests"]
    assert f"--junitxml={junit}" in argv and "no:cacheprovider" in argv
    argv, measured = command_argv("make test", junit, data, [])
    assert (argv, measured) == (["make", "test"], False)


def test_benchmark_seed_vector() -> None:
    """Seed 000: baseline 50 ms, new 65 ms: a 30% regression scores 0.4."""
    score, reasons = benchmark.compare([0.050], [0.065])
    assert score == pytest.approx(0.4)
    assert reasons[0].startswith("Baseline runtime: 50 ms")
    assert reasons[1].startswith("New code runtime: 65 ms")
    assert "Regression 30%" in reasons[2]


def test_benchmark_noise_and_speedup() -> None:
    # Medians 100 and 104 differ by less than the runs' spread (10): noise.
    assert benchmark.compare([95, 100, 105], [98, 104, 108], "printed")[0] == 1.0
    assert benchmark.compare([100, 100, 100], [50, 50, 50], "printed")[0] == 1.0
    assert benchmark.compare([100, 101, 100], [200, 201, 200], "printed")[0] == 0.0
    assert benchmark.last_number("warming up\n0.125\n\n") == 0.125
    assert benchmark.last_number("done in 3 s\n") is None


DIFF = """\
diff --git a/old name.py b/new name.py
similarity index 80%
rename from old name.py
rename to new name.py
index 1111111..2222222 100644
--- a/old name.py
+++ b/new name.py
@@ -1,4 +1,4 @@
 a = 1
-b = 2
+b = 3
 c = 3
 d = 4
@@ -10,3 +10,2 @@
 j = 10
-k = 11
 l = 12
diff --git a/gone.py b/gone.py
deleted file mode 100644
index 3333333..0000000
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-x = 1
diff --git a/logo.png b/logo.png
new file mode 100644
index 0000000..4444444
Binary files /dev/null and b/logo.png differ
"""


def test_diff_parsing() -> None:
    renamed, deleted, binary = parse_diff(DIFF)
    assert (renamed.path, renamed.old_path, renamed.status) == (
        "new name.py",
        "old name.py",
        "renamed",
    )
    assert renamed.added == {2}
    assert renamed.touched == {11}
    assert [renamed.base_line(n) for n in (1, 2, 3, 10, 11, 20)] == [1, None, 3, 10, 12, 21]
    assert (deleted.path, deleted.status, deleted.is_python) == ("gone.py", "deleted", False)
    assert (binary.path, binary.status, binary.binary, binary.is_python) == (
        "logo.png",
        "added",
        True,
        False,
    )


def test_caused_by_change_maps_lines_through_the_diff() -> None:
    (changed,) = parse_diff(DIFF.split("diff --git a/gone.py")[0])

    def finding(line: int, code: str = "W0611") -> Finding:
        return Finding("new name.py", line, 0, code, "", "warning")

    base = [finding(1), finding(12)]  # already in the base at lines 1 and 12
    new = [finding(1), finding(2), finding(11), finding(3), finding(20, "C0103")]
    kept = caused_by_change(changed, new, base)
    # 1 and 11 (base 12) were inherited; 2 is on an added line; 3 and 20 are new findings.
    assert [f.line for f in kept] == [2, 3, 20]
    assert [f.line for f in caused_by_change(changed, new, None)] == [2]


def test_error_handling_counts() -> None:
    base = functions(
        parse(
            "def f(x):\n    try:\n        return int(x)\n    except ValueError:\n"
            "        raise TypeError(x)\n"
        )
    )["f"]
    weakened = functions(
        parse("def f(x):\n    try:\n        return int(x)\n    except:\n        pass\n")
    )["f"]
    diff = error_handling.compare(error_handling.count(weakened), error_handling.count(base))
    assert diff == {
        "handler-removed": 0,
        "raise-removed": 1,
        "bare-except": 1,
        # A bare `except:` is counted once, as bare, not also as broad.
        "broad-except": 0,
        "swallowed-error": 1,
    }


def test_complexity_penalty() -> None:
    assert complexity.penalty(3, None) == 0
    assert complexity.penalty(12, None) == pytest.approx(0.2)
    assert complexity.penalty(4, 2) == 0  # still simple
    assert complexity.penalty(8, 6) == pytest.approx(0.1)
    (block,) = complexity.blocks("def f(x):\n    if x:\n        return 1\n    return 2\n")
    assert (block.name, block.complexity) == ("f", 2)


def test_git_quoted_paths_are_unquoted() -> None:
    from rubric_lsp.scoring.diff import unquote_git_path

    assert unquote_git_path('"b/q\\"uote.py"') == 'b/q"uote.py'
    assert unquote_git_path('"b/tab\\tx.py"') == "b/tab\tx.py"
    assert unquote_git_path('"b/caf\\303\\251.py"') == "b/café.py"
    assert unquote_git_path("b/plain name.py") == "b/plain name.py"
