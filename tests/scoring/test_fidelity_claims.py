"""A finding costs the criterion its defect is about: eval security, a broad handler
error handling; and a body edit says nothing about docstrings."""

from __future__ import annotations

from pathlib import Path

from support.critics import only
from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score

RUBRIC = (
    "reward_rubric {\n  criterion style weight=1\n  criterion security weight=1\n"
    "  criterion error_handling weight=1\n  criterion docs weight=1\n}\n"
)
MODULE = (
    '"""Parsing."""\n\n\ndef parse_number(text):\n    """The number in text, or None."""\n'
    "    cleaned = text.strip()\n    return int(cleaned)\n"
)


def _scored(tmp_path: Path, new_body: str, checks: tuple[str, ...]) -> dict[str, object]:
    repo = init_repo(tmp_path / "claims", {"app.rubric": RUBRIC, "pkg/parse.py": MODULE})
    (repo / "pkg/parse.py").write_text(
        MODULE.replace("    cleaned = text.strip()\n    return int(cleaned)\n", new_body)
    )
    return dict(score(repo, enabled=only(*checks), use_cache=False).criteria)


def test_eval_costs_security_not_style(tmp_path: Path) -> None:
    body = "    cleaned = text.strip()\n    return eval(cleaned)\n"
    criteria = _scored(tmp_path, body, ("pylint", "bandit"))
    style, security = criteria["style"], criteria["security"]
    assert "W0123" not in {f.code for f in style.findings}, style.steps
    assert style.score == 1.0 and "1 finding(s) left to security" in style.steps[0]
    assert security.score is not None and security.score < 1.0
    assert "B307" in {f.code for f in security.findings}


def test_a_swallowed_exception_costs_error_handling_not_style(tmp_path: Path) -> None:
    body = (
        "    try:\n        return int(text.strip())\n    except Exception:\n        pass\n"
        "    return None\n"
    )
    criteria = _scored(tmp_path, body, ("pylint", "error_handling"))
    style, handling = criteria["style"], criteria["error_handling"]
    assert "W0718" not in {f.code for f in style.findings}, style.steps
    assert style.score == 1.0, style.steps
    assert {f.code for f in handling.findings} == {"swallowed-error", "broad-except"}
    assert handling.score == 0.65


def test_a_broad_handler_that_answers_still_costs_error_handling(tmp_path: Path) -> None:
    body = (
        "    try:\n        return int(text.strip())\n    except Exception as error:\n"
        "        raise ValueError(text) from error\n"
    )
    handling = _scored(tmp_path, body, ("pylint", "error_handling"))["error_handling"]
    assert [f.code for f in handling.findings] == ["broad-except"]
    assert handling.score == 0.9
    # A specific handler is a decision, not a weakening.
    body = body.replace("except Exception", "except ValueError")
    handling = _scored(tmp_path / "specific", body, ("error_handling",))["error_handling"]
    assert handling.score == 1.0, handling.steps


TWO = (
    '"""Parsing."""\n\n\ndef parse_number(text):\n    """The number in text."""\n'
    "    return int(text)\n\n\ndef parse_word(text):\n    return text.strip()\n"
)


def test_a_body_edit_does_not_count_for_docs_but_a_removed_docstring_does(
    tmp_path: Path,
) -> None:
    repo = init_repo(tmp_path / "docs", {"app.rubric": RUBRIC, "pkg/parse.py": TWO})
    # The change adds one undocumented function and edits a documented one's body.
    added = TWO + "\n\ndef parse_pair(text):\n    return text.split(',')\n"
    (repo / "pkg/parse.py").write_text(added.replace("int(text)", "int(text.strip())"))
    docs = score(repo, enabled=only("docstrings"), use_cache=False).criteria["docs"]
    # Only the added function counts: the body edit would have made it 1 of 2 documented.
    assert docs.score == 0.0, docs.steps
    (repo / "pkg/parse.py").write_text(added.replace('    """The number in text."""\n', ""))
    docs = score(repo, enabled=only("docstrings"), use_cache=False).criteria["docs"]
    assert docs.score == 0.0 and len(docs.findings) == 2, docs.steps


SIGNER = '''"""Signing."""


class Signer:
    """Signs values."""

    def unsign(self, value):
        """The value without its signature."""
        try:
            return value.rsplit(".", 1)[0]
        except AttributeError:
            raise TypeError(value) from None
'''
OVERLOADED = SIGNER.replace(
    '    def unsign(self, value):\n        """The value',
    "    @typing.overload\n    def unsign(self, value: str) -> str: ...\n\n"
    "    @typing.overload\n    def unsign(self, value: bytes) -> bytes: ...\n\n"
    '    def unsign(self, value):\n        """The value',
).replace('"""Signing."""\n', '"""Signing."""\n\nimport typing\n')


def test_overload_stubs_are_neither_handlers_removed_nor_undocumented(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "stubs", {"app.rubric": RUBRIC, "pkg/sign.py": SIGNER})
    (repo / "pkg/sign.py").write_text(OVERLOADED)
    criteria = score(repo, enabled=only("error_handling", "docstrings"), use_cache=False).criteria
    assert criteria["error_handling"].score == 1.0, criteria["error_handling"].steps
    assert criteria["docs"].score == 1.0, criteria["docs"].steps


def test_a_docstring_replaced_by_pass_costs_docs(tmp_path: Path) -> None:
    module = '"""Markers."""\n\n\nclass Missing:\n    """A default that means none given."""\n'
    repo = init_repo(tmp_path / "pass", {"app.rubric": RUBRIC, "pkg/marks.py": module})
    (repo / "pkg/marks.py").write_text(
        module.replace('"""A default that means none given."""', "pass")
    )
    docs = score(repo, enabled=only("docstrings"), use_cache=False).criteria["docs"]
    assert docs.score == 0.0 and [f.code for f in docs.findings] == ["missing-docstring"]
