"""Changes to mutate (recent commits or a patch) and their defective twins, as patches.

A twin is the change with one file's new side replaced by a defective version: the same base,
the same patch for every other file. Nothing here writes to the repository: commits are read
with `git diff` and `git cat-file`, a patch's new side in a temporary checkout.
"""

from __future__ import annotations

import ast
import difflib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from rubric_lsp.scoring.diff import parse_diff
from rubric_lsp.scoring.gitrepo import Repository, git
from rubric_lsp.scoring.mutations.catalogue import Defect
from rubric_lsp.scoring.mutations.source import Source, split_lines
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.pysource import is_test_file
from rubric_lsp.scoring.snapshot import apply_patch, snapshot


@dataclass(frozen=True)
class ChangedSource:
    """A Python file the change adds or modifies: its new side and its base text."""

    source: Source
    base_text: str | None


@dataclass(frozen=True)
class Change:
    """A change to mutate: the base commit, the diff onto it and its Python files."""

    label: str
    base: str
    patch: bytes
    files: tuple[ChangedSource, ...]


@dataclass(frozen=True)
class Twin:
    """A change with one defect planted: the patch that scores it, and where it went."""

    change: Change
    defect: Defect
    path: str
    patch: bytes


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="surrogateescape")


async def _diff(root: Path, base: str, commit: str) -> bytes:
    done = await git(
        root,
        "diff",
        "--no-color",
        "--no-renames",
        "--binary",
        "--full-index",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        commit,
    )
    return done.stdout


async def _sources(
    repo: Repository, base: str, patch: bytes, new_side: Path | str
) -> tuple[ChangedSource, ...]:
    """The changed Python files, new sides read from a folder or from a commit."""
    files: list[ChangedSource] = []
    for changed in parse_diff(patch.decode("utf-8", errors="surrogateescape")):
        if not changed.path.endswith(".py") or changed.status not in ("added", "modified"):
            continue
        if isinstance(new_side, Path):
            text = _text((new_side / changed.path).read_bytes())
        else:
            text = _text(await repo.show(new_side, changed.path))
        if text is None:
            continue
        base_text = _text(await repo.show(base, changed.path))
        files.append(ChangedSource(Source(changed.path, text, changed.added, base_text), base_text))
    return tuple(files)


async def recent_commits(repo: Repository, count: int) -> list[Change]:
    """The last ``count`` commits of HEAD that change Python files (merges and roots left out)."""
    done = await git(
        repo.root,
        "log",
        "--no-merges",
        "--format=%H %P%x00%s",
        f"--max-count={count * 3}",
        "HEAD",
        "--",
        "*.py",
        check=False,
    )
    if done.returncode != 0:
        raise ScoringError("no commits to test: the repository has no history yet")
    changes: list[Change] = []
    for line in done.text.splitlines():
        shas, _, subject = line.partition("\0")
        commit, *parents = shas.split()
        if len(parents) != 1:
            continue
        patch = await _diff(repo.root, parents[0], commit)
        files = await _sources(repo, parents[0], patch, commit)
        if files:
            changes.append(Change(f"{commit[:10]} {subject}", parents[0], patch, files))
        if len(changes) == count:
            break
    return changes


async def patch_change(repo: Repository, base: str, patch: bytes, label: str) -> Change:
    """A patch onto ``base``; its new side is read in a temporary checkout, not in the tree."""
    async with snapshot(repo.root, base) as folder:
        await apply_patch(folder, patch)
        files = await _sources(repo, base, patch, folder)
    return Change(label, base, patch, files)


def _sections(patch: str) -> list[str]:
    """A patch split into one piece per file."""
    lines = split_lines(patch)
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    if not starts:  # a plain unified diff: each file starts at its `---` line
        starts = [
            i
            for i, line in enumerate(lines)
            if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
        ]
    bounds = [*starts, len(lines)]
    head = ["".join(lines[: bounds[0]])] if bounds[0] else []
    return head + ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]


def _is_section_of(section: str, path: str) -> bool:
    for line in section.splitlines():
        if line.startswith("+++ "):
            name = line[4:].split("\t")[0].strip()
            return name in (f"b/{path}", path)
    return False


def file_section(path: str, old: str | None, new: str) -> str:
    """A git-style diff of one file, from ``old`` (None: the file is new) to ``new``."""
    header = f"diff --git a/{path} b/{path}\n" + ("new file mode 100644\n" if old is None else "")
    diff = difflib.unified_diff(
        split_lines(old or ""),
        split_lines(new),
        "/dev/null" if old is None else f"a/{path}",
        f"b/{path}",
    )
    body = [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    ]
    return header + "".join(body)


def twin_patch(change: Change, changed: ChangedSource, new_text: str) -> bytes:
    """The change's patch with one file's new side replaced by ``new_text``."""
    text = change.patch.decode("utf-8", errors="surrogateescape")
    path = changed.source.path
    kept = [s for s in _sections(text) if not _is_section_of(s, path)]
    kept.append(file_section(path, changed.base_text, new_text))
    return "".join(kept).encode("utf-8", errors="surrogateescape")


def is_valid_twin(original: str, twin: str | None) -> bool:
    """Whether a twin differs from the original and is still valid Python."""
    if twin is None or twin == original:
        return False
    try:
        ast.parse(twin)
    except (SyntaxError, ValueError):
        return False
    return True


def with_coverage(change: Change, missed: Mapping[str, frozenset[int]]) -> Change:
    """The change with each file's covered added lines: those its tests did not miss."""
    files = tuple(
        replace(
            changed,
            source=replace(
                changed.source,
                covered=changed.source.added - missed.get(changed.source.path, frozenset()),
            ),
        )
        for changed in change.files
    )
    return replace(change, files=files)


def plant(change: Change, defect: Defect) -> Twin | None:
    """The change with ``defect`` planted in the first file it applies to, or None."""
    code = [f for f in change.files if not is_test_file(f.source.path)]
    tests = [f for f in change.files if is_test_file(f.source.path)]
    # Deleted tests only mean something when the change has code for them to cover.
    candidates = code if defect.scope == "code" else (tests if code else [])
    for changed in candidates:
        if changed.source.tree is None:
            continue
        twin = defect.transform(changed.source)
        if twin is not None and is_valid_twin(changed.source.text, twin):
            return Twin(change, defect, changed.source.path, twin_patch(change, changed, twin))
    return None
