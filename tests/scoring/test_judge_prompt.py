"""What the judge is shown: the bounded diff, the evidence with finding ids, the citation rule."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.gitrepo import edit, init_repo, write

from rubric_lsp.scoring.critic import CriticResult, Finding
from rubric_lsp.scoring.diff import collect_changes
from rubric_lsp.scoring.judge.prompt import _bounded, _Hunk, evidence, read_diff
from rubric_lsp.scoring.judge.reply import Entry, inside, verdict


def _hunk(path: str, first: int, count: int) -> _Hunk:
    body = "".join(f"+line {first + i}\n" for i in range(count))
    return _Hunk(path, f"@@ -{first},0 +{first},{count} @@\n{body}", first, count)


def test_the_largest_hunk_is_cut_with_a_note_and_its_lines_are_not_citable() -> None:
    hunks = [_hunk("a.py", 1, 3), _hunk("a.py", 100, 2000), _hunk("b.py", 5, 4)]
    headers = {"a.py": "--- a/a.py\n+++ b/a.py\n", "b.py": "--- a/b.py\n+++ b/b.py\n"}
    diff = _bounded(hunks, headers, limit=2000)
    assert diff.cut == 1
    assert len(diff.text) < 2000
    assert "[2001 lines cut: the diff is longer than is sent]" in diff.text
    assert "+line 2\n" in diff.text and "+line 7\n" in diff.text
    assert diff.shown == {"a.py": {1, 2, 3}, "b.py": {5, 6, 7, 8}}
    assert _bounded(hunks, headers, limit=10**6).cut == 0


def test_citations_outside_the_diff_are_dropped_and_counted() -> None:
    shown = {"calc/core.py": {21, 22, 23}}
    entry = Entry(
        ("1. Looks fine.", "2) Handles empty input.", "Score: 4"),
        4.0,
        ("calc/core.py:22", "b/calc/core.py:23", "calc/core.py:90", "other.py:1", "F2", "F9"),
    )
    found = verdict(entry, shown, {"F1", "F2"})
    assert found.steps == ("Looks fine.", "Handles empty input.")
    assert found.citations == ("calc/core.py:22", "b/calc/core.py:23", "F2")
    assert found.uncited == 3
    assert not inside("calc/core.py", shown, set())


def test_the_evidence_names_each_finding_with_an_id_and_its_place() -> None:
    finding = Finding("calc/core.py", 12, 4, "W0612", "Unused variable 'x'", "warning", 0.1)
    results = {
        "pylint": CriticResult(0.75, summary="1 finding", findings=(finding,)),
        "tests": CriticResult(0.5, summary="1 of 2 passed", reasons=("test_total failed",)),
    }
    text, ids = evidence(results, {"pylint": ["style"], "tests": ["correctness"]})
    assert ids == {"F1"}
    assert "F1 calc/core.py:12 W0612: Unused variable 'x'" in text
    assert "pylint (measures style): scored, score 0.75 of 1: 1 finding" in text
    assert "test_total failed" in text


def test_the_diff_carries_modified_and_new_files_but_no_binary_one(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "calc")
    edit(repo, "calc/core.py", '    """Sum the values."""\n', '    """Add the values up."""\n')
    write(repo, "calc/extra.py", '"""New."""\n\nVALUE = 1\n')
    (repo / "blob.bin").write_bytes(b"\0\1\2" * 10)
    diff = asyncio.run(read_diff(asyncio.run(collect_changes(repo, "HEAD"))))
    assert '+    """Add the values up."""' in diff.text
    assert '-    """Sum the values."""' in diff.text
    assert '--- /dev/null\n+++ b/calc/extra.py\n@@ -0,0 +1,3 @@\n+"""New."""\n' in diff.text
    assert "blob.bin" not in diff.text
    assert diff.shown["calc/extra.py"] == {1, 2, 3}
    assert 22 in diff.shown["calc/core.py"]
