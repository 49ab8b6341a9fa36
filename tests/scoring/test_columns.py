"""Finding columns count characters, as editors and SARIF readers expect, not UTF-8 bytes."""

from __future__ import annotations

from pathlib import Path

from support.gitrepo import init_repo

from rubric_lsp.scoring.api import score

LINE = 'LABEL = "日本語日本語"; os.system("ls")'


def test_columns_after_non_ascii_text(tmp_path: Path) -> None:
    files = {
        "m.py": '"""M."""\n\nimport os\n',
        "r.rubric": "reward_rubric {\n  criterion security weight=1\n}\n",
    }
    repo = init_repo(tmp_path / "repo", files)
    (repo / "m.py").write_text('"""M."""\n\nimport os\n' + LINE + "\n")
    result = score(repo, trusted=False, use_cache=False)
    (finding,) = [f for f in result.criteria["security"].findings if f.code == "B605"]
    assert finding.line == 4
    assert finding.column == LINE.index("os.system")


def test_files_with_quoted_names_are_scored(tmp_path: Path) -> None:
    # Tracked and then changed, so the name reaches us through git's (quoting) diff.
    name = 'tab\tand "quote".py'
    files = {
        "r.rubric": "reward_rubric {\n  criterion security weight=1\n}\n",
        name: '"""M."""\n\nimport os\n',
    }
    repo = init_repo(tmp_path / "repo", files)
    (repo / name).write_text('"""M."""\n\nimport os\n\nos.system("ls")\n')
    result = score(repo, trusted=False, use_cache=False)
    assert result.changed_files == (name,)
    assert [f.path for f in result.criteria["security"].findings if f.code == "B605"] == [name]
