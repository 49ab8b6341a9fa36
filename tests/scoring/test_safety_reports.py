"""Reports show what comes from the change literally: no HTML, no markup, no escapes."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt
from rich.console import Console
from support.gitrepo import write

from rubric_lsp.commands.score import print_text
from rubric_lsp.scoring import report
from rubric_lsp.scoring.api import score
from rubric_lsp.scoring.engine import ScoreResult

HOSTILE_TESTS = """\
import pytest


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>"])
def test_html(name):
    assert name == "</details><script>x</script>"


def test_markup():
    assert "calc/__init__.py" == "**bold** [link](http://x.invalid) `code` | [/] \\x1b[31mred"
"""


def hostile_result(repo: Path) -> ScoreResult:
    write(repo, "tests/test_hostile.py", HOSTILE_TESTS)
    return score(repo, enabled={"benchmark": False, "coverage": False}, use_cache=False)


def test_markdown_shows_the_changes_text_literally(repo: Path) -> None:
    result = hostile_result(repo)
    assert result.criteria["correctness"].findings, result.criteria["correctness"].steps
    text = report.to_markdown(result)
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    # The only tags are the report's own: no image, script or link from a test's text.
    for tag in ("<img", "<script", "<a ", "<strong>", "<em>"):
        assert tag not in html, tag
    assert html.count("<details>") == html.count("</details>") == text.count("<details>")
    assert "calc/__init__.py" in html and "calc/<strong>init</strong>.py" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\x1b" not in text


def test_text_keeps_markup_literal_and_drops_terminal_escapes(repo: Path) -> None:
    result = hostile_result(repo)
    criterion = result.criteria["correctness"]
    hostile = replace(criterion, comment="[bold]calc/__init__.py[/bold] \x1b[31mred")
    result = replace(result, criteria={**result.criteria, "correctness": hostile})
    out = io.StringIO()
    print_text(result, Console(file=out, width=300, soft_wrap=True, force_terminal=True))
    printed = out.getvalue()
    assert "[bold]calc/__init__.py[/bold]" in printed
    assert "\x1b[31mred" not in printed
    assert "calc/__init__.py" in report.to_json(result)
