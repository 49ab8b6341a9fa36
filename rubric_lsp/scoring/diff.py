"""The change being scored: which files changed and which of their lines, via unidiff."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from rubric_lsp.scoring.bigfiles import oversized
from rubric_lsp.scoring.gitrepo import git
from rubric_lsp.scoring.proc import ScoringError

FileStatus = Literal["added", "modified", "deleted", "renamed", "untracked"]

# Git's own test for binary content: a NUL byte in the first 8000 bytes.
_BINARY_PROBE = 8000


@dataclass(frozen=True)
class Hunk:
    """Where one hunk sits on both sides, and how its unchanged lines pair up."""

    source_start: int
    source_length: int
    target_start: int
    target_length: int
    context: dict[int, int] = field(default_factory=dict)  # new line -> base line

    @property
    def source_end(self) -> int:
        """The first base line after the hunk (an empty side's start is the line before)."""
        return self.source_start + max(self.source_length, 1)

    @property
    def target_first(self) -> int:
        """The first new line inside the hunk (for a pure deletion, the line after it)."""
        return self.target_start + (0 if self.target_length else 1)

    @property
    def target_end(self) -> int:
        """The first new line after the hunk."""
        return self.target_start + max(self.target_length, 1)

    @property
    def removed(self) -> frozenset[int]:
        """The base lines this hunk removed (or rewrote)."""
        kept = set(self.context.values())
        span = range(self.source_start, self.source_start + self.source_length)
        return frozenset(line for line in span if line not in kept)


@dataclass(frozen=True)
class ChangedFile:
    """One changed file: its paths on both sides and its added lines (1-based)."""

    path: str
    old_path: str | None
    status: FileStatus
    binary: bool = False
    added: frozenset[int] = frozenset()
    # New-side lines just after a deletion: a function losing lines is changed too.
    touched: frozenset[int] = frozenset()
    hunks: tuple[Hunk, ...] = ()
    # Why the new side is not read at all (a symlink out of the repository, a huge file).
    skipped: str = ""

    @property
    def is_python(self) -> bool:
        """Whether the new side is a Python source file that still exists and may be read."""
        return (
            self.path.endswith(".py")
            and self.status != "deleted"
            and not self.binary
            and not self.skipped
        )

    @property
    def wholly_added(self) -> bool:
        """Whether every line is new (an added or untracked file)."""
        return self.status in ("added", "untracked")

    @property
    def changed(self) -> frozenset[int]:
        """Added lines and the lines where something was deleted."""
        return self.added | self.touched

    def _last_hunk_from(self, line: int) -> int:
        """The index of the last hunk whose new side starts at or before ``line``; -1 if none."""
        return bisect.bisect_right([hunk.target_first for hunk in self.hunks], line) - 1

    def hunk_at(self, line: int) -> int | None:
        """The index of the hunk whose new side holds ``line``; None outside every hunk."""
        index = self._last_hunk_from(line)
        if index >= 0 and line < self.hunks[index].target_end:
            return index
        return None

    def base_line(self, line: int) -> int | None:
        """The base line an unchanged new line came from; None for added lines."""
        if self.wholly_added or line in self.added:
            return None
        index = self._last_hunk_from(line)
        offset = 0
        if index >= 0:
            hunk = self.hunks[index]
            if line < hunk.target_end:
                return hunk.context.get(line)
            offset = hunk.source_end - hunk.target_end
        return line + offset


@dataclass(frozen=True)
class ChangeSet:
    """Every changed file between the base commit and the folder holding the new code."""

    base: str | None
    work_dir: Path
    files: tuple[ChangedFile, ...]
    # A digest of the diff and the untracked files' size and time: equal means nothing changed.
    fingerprint: str

    @property
    def skipped(self) -> list[ChangedFile]:
        """Changed files that are never read, each with its reason."""
        return [f for f in self.files if f.skipped]

    @property
    def python_files(self) -> list[ChangedFile]:
        """Changed Python files that exist on the new side."""
        return [f for f in self.files if f.is_python]

    def get(self, path: str) -> ChangedFile | None:
        """The changed file at a new-side path."""
        for changed in self.files:
            if changed.path == path:
                return changed
        return None

    def read(self, path: str) -> str:
        """A new-side file's text."""
        return (self.work_dir / path).read_bytes().decode("utf-8", errors="replace")


# Larger files are not analysed (generated code, data): reading them would take minutes.
MAX_FILE_BYTES = 2 * 1024 * 1024


def unreadable_reason(work_dir: Path, path: str) -> str:
    """Why a new-side file must not be read ("" when it may be, or when it is absent)."""
    full = work_dir / path
    try:
        info = full.lstat()
    except OSError:
        return ""
    if stat.S_ISLNK(info.st_mode):
        root = os.path.realpath(work_dir)
        target = os.path.realpath(full)
        if os.path.commonpath([root, target]) != root:
            return "a symlink whose target leaves the repository"
        try:
            info = os.stat(target)
        except OSError:
            return ""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a device, FIFO or socket)"
    if info.st_size > MAX_FILE_BYTES:
        return f"{info.st_size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit"
    return ""


_STATUS: dict[str, FileStatus] = {"A": "added", "D": "deleted"}


def _too_large(work_dir: Path, status: str, path: str, size: int, digest: Any) -> ChangedFile:
    """A changed file left out of the diff for its size, said skipped."""
    with contextlib.suppress(OSError):
        info = (work_dir / path).lstat()
        digest.update(f"\0{path}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    reason = f"{size / 2**20:.0f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit"
    return ChangedFile(path, path, _STATUS.get(status, "modified"), skipped=reason)


def _mark_unreadable(work_dir: Path, files: list[ChangedFile]) -> list[ChangedFile]:
    """The files, each new side that must not be read marked with its reason."""
    marked: list[ChangedFile] = []
    for changed in files:
        reason = "" if changed.status == "deleted" else unreadable_reason(work_dir, changed.path)
        marked.append(replace(changed, skipped=reason) if reason else changed)
    return marked


def is_binary(data: bytes) -> bool:
    """Git's heuristic: content with a NUL byte near the start is binary."""
    return b"\0" in data[:_BINARY_PROBE]


_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_git_path(name: str) -> str:
    """A path as git wrote it: names with quotes, tabs or control characters come C-quoted."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body, out, index = name[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 >= len(body):
            out += char.encode("utf-8")
            index += 1
            continue
        following = body[index + 1]
        if following in _C_ESCAPES:
            out.append(_C_ESCAPES[following])
            index += 2
        elif body[index + 1 : index + 4].isdigit():
            out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
            index += 4
        else:
            out += following.encode("utf-8")
            index += 2
    return out.decode("utf-8", errors="surrogateescape")


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = unquote_git_path(name)
    return name[2:] if name[:2] in ("a/", "b/") else name


def parse_diff(text: str) -> list[ChangedFile]:
    """Changed files of a unified git diff, as unidiff reads it."""
    try:
        patch = PatchSet(text)
    except UnidiffParseError as error:
        raise ScoringError(f"cannot parse the diff: {error}") from None
    files: list[ChangedFile] = []
    for patched in patch:
        source = _strip_prefix(patched.source_file)
        target = _strip_prefix(patched.target_file)
        status: FileStatus
        # /dev/null decides, not unidiff's guess from a hunk at line 0 (a -U0 insertion).
        if source is None:
            status, old = "added", None
        elif target is None:
            status, old = "deleted", source
        elif getattr(patched, "is_rename", False) or (source and target and source != target):
            status, old = "renamed", source
        else:
            status, old = "modified", source
        path = (target if status != "deleted" else source) or patched.path
        added: set[int] = set()
        touched: set[int] = set()
        hunks: list[Hunk] = []
        for hunk in patched:
            context: dict[int, int] = {}
            previous_removed = False
            for line in hunk:
                if line.is_added and line.target_line_no is not None:
                    added.add(line.target_line_no)
                elif line.is_context and line.target_line_no is not None:
                    context[line.target_line_no] = line.source_line_no or 0
                    if previous_removed:
                        touched.add(line.target_line_no)
                previous_removed = line.is_removed
            if previous_removed:  # a deletion at the end of a hunk touches its last line
                touched.add(max(hunk.target_start + hunk.target_length - 1, 1))
            hunks.append(
                Hunk(
                    hunk.source_start,
                    hunk.source_length,
                    hunk.target_start,
                    hunk.target_length,
                    context,
                )
            )
        files.append(
            ChangedFile(
                path=path,
                old_path=old,
                status=status,
                binary=bool(getattr(patched, "is_binary_file", False)),
                added=frozenset(added),
                touched=frozenset(touched - added),
                hunks=tuple(hunks),
            )
        )
    return files


async def diff_text(
    work_dir: Path, base: str, run_filters: bool = False, leave_out: Sequence[str] = ()
) -> str:
    """The diff from the base commit to the files in ``work_dir``, staged or not.

    ``leave_out``: paths not to diff (too large to read).
    """
    done = await git(
        work_dir,
        "diff",
        "--no-color",
        "--find-renames",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        "--",
        *(f":(exclude,literal){path}" for path in leave_out),
        run_filters=run_filters,
    )
    return done.stdout.decode("utf-8", errors="surrogateescape")


async def tracked_files(work_dir: Path) -> list[str]:
    """Files in the index."""
    done = await git(work_dir, "ls-files", "--cached", "-z")
    return [name for name in done.stdout.decode("utf-8", errors="replace").split("\0") if name]


async def untracked_files(work_dir: Path) -> list[str]:
    """Files git does not ignore and does not track yet."""
    done = await git(work_dir, "ls-files", "--others", "--exclude-standard", "-z")
    return [name for name in done.stdout.decode("utf-8", errors="replace").split("\0") if name]


async def collect_changes(work_dir: Path, base: str | None, run_filters: bool = False) -> ChangeSet:
    """The change from ``base`` (None: no commits yet) to the files in ``work_dir``.

    ``run_filters``: a trusted run on the user's own tree lets its filter drivers clean files.
    """
    digest = hashlib.sha256(f"{base}\n".encode())
    if base is None:
        # Before the first commit every file git knows or would add is wholly new.
        files: list[ChangedFile] = []
        tracked = set(await tracked_files(work_dir))
    else:
        large = await oversized(work_dir, base, MAX_FILE_BYTES, run_filters)
        text = await diff_text(work_dir, base, run_filters, [path for _, path, _ in large])
        files = _mark_unreadable(work_dir, parse_diff(text))
        digest.update(text.encode("utf-8", errors="surrogateescape"))
        files += [_too_large(work_dir, status, path, size, digest) for status, path, size in large]
        tracked = set()
    untracked = set(await untracked_files(work_dir))
    # Reading new files (a large log, a data set) must not stall an event loop.
    files += await asyncio.to_thread(
        _new_files, work_dir, sorted(tracked | untracked), untracked, digest
    )
    return ChangeSet(base, work_dir, tuple(files), digest.hexdigest())


def _count_lines(path: Path) -> int:
    """Lines of a text file, read in blocks rather than whole."""
    count, last = 0, b"\n"
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _new_files(
    work_dir: Path, names: list[str], untracked: set[str], digest: Any
) -> list[ChangedFile]:
    """Wholly new files, each of its lines added."""
    found: list[ChangedFile] = []
    for name in names:
        path = work_dir / name
        if not path.is_file():  # a dangling symlink, a socket
            continue
        info = path.stat()
        digest.update(f"\0{name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
        reason = unreadable_reason(work_dir, name)
        if reason:  # listed as changed, never opened
            status: FileStatus = "untracked" if name in untracked else "added"
            found.append(ChangedFile(path=name, old_path=None, status=status, skipped=reason))
            continue
        with path.open("rb") as stream:
            binary = is_binary(stream.read(_BINARY_PROBE))
        # A binary file (a data set) is never read whole.
        count = 0 if binary else _count_lines(path)
        found.append(
            ChangedFile(
                path=name,
                old_path=None,
                status="untracked" if name in untracked else "added",
                binary=binary,
                added=frozenset(range(1, count + 1)),
            )
        )
    return found
