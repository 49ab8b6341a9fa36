"""The Markdown PR comment rendered as GitHub does (cmarkgfm): literal text, one list level."""

from __future__ import annotations

import dataclasses

import cmarkgfm
from cmarkgfm.cmark import Options

from rubric_lsp.scoring.engine import ScoreResult
from rubric_lsp.scoring.reports.markdown import GITHUB_LIMIT, to_markdown


def github_html(text: str) -> str:
    """GitHub-flavoured Markdown as HTML, raw HTML kept (GitHub then sanitizes it)."""
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def test_the_changes_text_stays_text(result: ScoreResult) -> None:
    assert result.criteria["correctness"].findings
    html = github_html(to_markdown(result))
    for tag in ("<img", "<script", "<a ", "<strong>", "<em>", "<del>", "mailto:"):
        assert tag not in html, tag
    assert html.count("<details>") == html.count("</details>") == 3
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_paths_render_literally_in_summaries_and_lists(result: ScoreResult) -> None:
    html = github_html(to_markdown(result))
    # A <summary> is raw HTML: Markdown backslashes there would show as typed.
    assert "\\" not in "".join(line for line in html.splitlines() if "<summary>" in line)
    assert "tests.test_hostile::test_html" in html
    assert "calc/__init__.py" in html and "<strong>init</strong>" not in html
    assert "calc/\\_\\_init" not in html


def test_steps_are_one_ordered_list_not_lists_in_bullets(result: ScoreResult) -> None:
    html = github_html(to_markdown(result))
    assert "<li>\n<ol" not in html
    assert "<ol>\n<li>Ran " in html


def test_a_huge_report_stays_under_githubs_limit_and_says_so(result: ScoreResult) -> None:
    criterion = result.criteria["correctness"]
    steps = tuple(f"{n}. {'x' * 500} <b>" for n in range(1, 400))
    many = {f"c{n}": dataclasses.replace(criterion, name=f"c{n}", steps=steps) for n in range(8)}
    text = to_markdown(dataclasses.replace(result, criteria={**result.criteria, **many}))
    assert len(text) < GITHUB_LIMIT
    assert "left out to stay under GitHub's 65,536-character limit" in text
    html = github_html(text)
    assert html.count("<details>") == html.count("</details>")
