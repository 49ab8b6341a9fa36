"""Python source helpers shared by critics: ASTs, definitions, base versions, new findings."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import os
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ParamSpec, TypeVar

from rubric_lsp.scoring import cache
from rubric_lsp.scoring.critic import Context, Finding
from rubric_lsp.scoring.diff import ChangedFile

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
DefinitionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


P = ParamSpec("P")
R = TypeVar("R")

# CPython 3.11 keeps the AST constructor's recursion depth per interpreter, not per thread:
# two threads building ASTs at once can fail with "SystemError: AST constructor recursion
# depth mismatch" (python/cpython#106905). Critics build ASTs (ast, radon) only under this lock.
AST_LOCK = threading.Lock()


async def ast_work(work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run AST-building work in a thread, one such piece of work at a time."""

    def locked() -> R:
        with AST_LOCK:
            return work(*args, **kwargs)

    return await asyncio.to_thread(locked)


async def changed_sources(context: Context) -> AsyncIterator[tuple[ChangedFile, str, str | None]]:
    """Each changed Python file with its text and, when it had one, its base version's text."""
    for changed in context.changes.python_files:
        text = context.changes.read(changed.path)
        base = None
        if changed.old_path and not changed.wholly_added:
            data = await context.repo.show(context.changes.base, changed.old_path)
            base = data.decode("utf-8", errors="replace") if data is not None else None
        yield changed, text, base


def parse(text: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def digest(data: bytes | str) -> str:
    """A content key for caches."""
    raw = data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def changed_statements(tree: ast.Module | None, text: str, lines: Iterable[int]) -> int:
    """How many statements start on the given lines (non-blank lines when unparsable)."""
    wanted = set(lines)
    if tree is None:
        source = text.splitlines()
        return sum(1 for n in wanted if 0 < n <= len(source) and source[n - 1].strip())
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.stmt) and node.lineno in wanted)


@dataclass(frozen=True)
class Definition:
    """A function or class with its dotted name inside the module."""

    qualname: str
    node: DefinitionNode
    # Whether it is reachable as public API: public names all the way down, not nested in a def.
    public: bool

    @property
    def first_line(self) -> int:
        """The first line, decorators included."""
        return min([self.node.lineno, *(d.lineno for d in self.node.decorator_list)])

    @property
    def last_line(self) -> int:
        """The last line of the body."""
        return self.node.end_lineno or self.node.lineno

    def touches(self, lines: frozenset[int]) -> bool:
        """Whether any of ``lines`` lies inside this definition."""
        return any(self.first_line <= line <= self.last_line for line in lines)


def definitions(tree: ast.Module | None) -> list[Definition]:
    """Every function and class, outermost first."""
    if tree is None:
        return []
    found: list[Definition] = []

    def visit(body: Sequence[ast.stmt], prefix: str, public: bool, in_function: bool) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{node.name}"
                is_public = public and not in_function and not node.name.startswith("_")
                found.append(Definition(name, node, is_public))
                inner_function = in_function or not isinstance(node, ast.ClassDef)
                visit(node.body, name + ".", is_public, inner_function)
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
                # Definitions under `if TYPE_CHECKING:` or `try: import` are still module level.
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []), prefix, public, in_function)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, prefix, public, in_function)

    visit(tree.body, "", True, False)
    return found


def is_overload(node: DefinitionNode) -> bool:
    """A ``@typing.overload`` stub: a type declaration, not code that handles or documents."""
    for decorator in node.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else None
        if name == "overload" or (isinstance(decorator, ast.Name) and decorator.id == "overload"):
            return True
    return False


def functions(tree: ast.Module | None) -> dict[str, FunctionNode]:
    """Functions and methods by dotted name."""
    return {
        d.qualname: d.node
        for d in definitions(tree)
        if isinstance(d.node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def own_nodes(function: FunctionNode) -> Iterator[ast.AST]:
    """The nodes of a function's body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.append(child)


async def base_text(context: Context, changed: ChangedFile) -> str | None:
    """The file's text at the base commit, or None when it is new there."""
    if changed.wholly_added or changed.old_path is None:
        return None
    data = await context.repo.show(context.changes.base, changed.old_path)
    return None if data is None else data.decode("utf-8", errors="replace")


async def materialize_base(context: Context, files: Sequence[ChangedFile]) -> dict[str, Path]:
    """Write the base versions of files (and their packages' __init__) to the scratch folder."""
    root = context.scratch / "base"
    written: dict[str, Path] = {}
    for changed in files:
        if changed.old_path is None or changed.wholly_added:
            continue
        data = await context.repo.show(context.changes.base, changed.old_path)
        if data is None:
            continue
        target = root / changed.old_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        # Packages resolve the same way as in the tree, so imports give the same findings.
        parts = Path(changed.old_path).parts[:-1]
        for depth in range(1, len(parts) + 1):
            init = Path(*parts[:depth]) / "__init__.py"
            if not (root / init).exists():
                init_data = await context.repo.show(context.changes.base, init.as_posix())
                if init_data is not None:
                    (root / init).write_bytes(init_data)
        written[changed.path] = target
    return written


def real(path: str | Path) -> str:
    """A path with symlinks resolved, to match tools' absolute paths."""
    return os.path.realpath(path)


F = TypeVar("F", bound=Finding)


def on_added_lines(changed: ChangedFile, finding: Finding, span: bool = False) -> bool:
    """Whether a finding sits on an added line (or, with ``span``, reaches one)."""
    if changed.wholly_added:
        return True
    last = finding.end_line if span and finding.end_line else finding.line
    return any(line in changed.added for line in range(finding.line, last + 1))


def caused_by_change(
    changed: ChangedFile,
    findings: Sequence[F],
    base_findings: Sequence[Finding] | None,
    span: bool = False,
    rewritten: bool = False,
) -> list[F]:
    """Findings the change is responsible for: on added lines, or new on unchanged lines.

    A finding on an unchanged line counts only when the base version of the file had no
    finding with the same code on the line it came from (an import left unused by a removed
    call). Without base findings, unchanged lines are given the benefit of the doubt.
    With ``rewritten``, a finding on an added line does not count either when a line its
    hunk removed had the same finding (code and message): the line was rewritten around a
    problem it already had, as when a rename elsewhere on it touches it.
    """
    base_counts: Counter[tuple[str, int]] = Counter(
        (finding.code, finding.line) for finding in base_findings or ()
    )
    before = _rewritten_findings(changed, base_findings) if rewritten else Counter()
    kept: list[F] = []
    for finding in findings:
        if on_added_lines(changed, finding, span):
            key = (finding.code, finding.message, changed.hunk_at(finding.line))
            if before[key] > 0:
                before[key] -= 1
                continue
            kept.append(finding)
            continue
        if base_findings is None:
            continue
        base_line = changed.base_line(finding.line)
        if base_line is None:
            continue
        if base_counts[(finding.code, base_line)] > 0:
            base_counts[(finding.code, base_line)] -= 1
            continue
        kept.append(finding)
    return kept


def _rewritten_findings(
    changed: ChangedFile, base_findings: Sequence[Finding] | None
) -> Counter[tuple[str, str, int | None]]:
    """Base findings on lines a hunk removed, by code, message and hunk."""
    counts: Counter[tuple[str, str, int | None]] = Counter()
    if changed.wholly_added or not base_findings:
        return counts
    removed = {line: index for index, hunk in enumerate(changed.hunks) for line in hunk.removed}
    for finding in base_findings:
        if finding.line in removed:
            counts[(finding.code, finding.message, removed[finding.line])] += 1
    return counts


def needs_base(changed: ChangedFile, findings: Sequence[Finding], rewritten: bool = False) -> bool:
    """Whether only the base explains a finding: off added lines, or in a rewriting hunk."""
    if changed.wholly_added or changed.old_path is None:
        return False
    for finding in findings:
        if finding.line not in changed.added:
            return True
        hunk = changed.hunk_at(finding.line) if rewritten else None
        if hunk is not None and changed.hunks[hunk].removed:
            return True
    return False


def is_test_file(path: str) -> bool:
    """Test modules by the usual pytest naming and folders."""
    name = Path(path).name
    parts = Path(path).parts[:-1]
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("tests", "test") for part in parts)
    )


Runner = Callable[[list[Path]], Awaitable[dict[str, list[Finding]]]]


@dataclass
class Lookup:
    """Cached findings per file name, and the files still to analyse with their cache keys."""

    kind: str
    found: dict[str, list[Finding]]
    missing: dict[str, tuple[Path, str]]


def cache_lookup(context: Context, kind: str, files: dict[str, Path], config: object) -> Lookup:
    """Split files into cached results (by content and configuration) and files to analyse.

    ``files`` maps the name to report to the file on disk.
    """
    found: dict[str, list[Finding]] = {}
    missing: dict[str, tuple[Path, str]] = {}
    for name, path in files.items():
        entry = cache.key(kind, config, name, digest(path.read_bytes()))
        hit = context.cache.get(kind, entry)
        if isinstance(hit, list):
            found[name] = [Finding.from_json(item) for item in hit]
        else:
            missing[name] = (path, entry)
    return Lookup(kind, found, missing)


async def complete(context: Context, lookup: Lookup, runner: Runner) -> dict[str, list[Finding]]:
    """Analyse the missing files in one tool run and cache their findings.

    ``runner`` returns findings keyed by the real path of each file it analysed.
    """
    results = dict(lookup.found)
    if lookup.missing:
        by_path = await runner([path for path, _ in lookup.missing.values()])
        for name, (path, entry) in lookup.missing.items():
            found = [replace(f, path=name) for f in by_path.get(real(path), [])]
            context.cache.put(lookup.kind, entry, [f.to_json() for f in found])
            results[name] = found
    return results


async def cached_findings(
    context: Context, kind: str, files: dict[str, Path], config: object, runner: Runner
) -> dict[str, list[Finding]]:
    """Findings for every file: from the cache, or from one run over the uncached ones."""
    return await complete(context, cache_lookup(context, kind, files, config), runner)
