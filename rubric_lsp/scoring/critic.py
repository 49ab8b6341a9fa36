"""The critic interface, what a critic returns, and the registry of built-in critics."""

from __future__ import annotations

import asyncio
import sys
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from rubric_lsp.language.catalogue import DECLARED, CheckDeclaration, claimed_codes
from rubric_lsp.language.evaluate import Status
from rubric_lsp.language.model import Document
from rubric_lsp.scoring.cache import Cache
from rubric_lsp.scoring.diff import ChangeSet
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.interpreter import ProjectPython, own_python

if TYPE_CHECKING:
    from rubric_lsp.scoring.options import ScoreOptions

FindingSeverity = Literal["error", "warning", "info"]

T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    """One problem a critic found at a place in the new code."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: FindingSeverity
    # How much of the criterion's score (0..1) this finding cost.
    penalty: float = 0.0
    end_line: int | None = None
    end_column: int | None = None
    # The tool's name for the code (pylint's symbol, bandit's test name), when it has one.
    symbol: str = ""

    @property
    def label(self) -> str:
        """The code with its symbol, as people read it: ``W0612 unused-variable``."""
        return f"{self.code} {self.symbol}" if self.symbol else self.code

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of a finding."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "penalty": round(self.penalty, 4),
            "end_line": self.end_line,
            "end_column": self.end_column,
            "symbol": self.symbol,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """A finding back from its JSON shape (the cache stores them so)."""
        return cls(
            path=str(data["path"]),
            line=int(data["line"]),
            column=int(data["column"]),
            code=str(data["code"]),
            message=str(data["message"]),
            severity=data["severity"],
            penalty=float(data.get("penalty", 0.0)),
            end_line=data.get("end_line"),
            end_column=data.get("end_column"),
            symbol=str(data.get("symbol", "")),
        )


@dataclass(frozen=True)
class CriticResult:
    """A critic's verdict: a score in [0, 1] (or why there is none) and its evidence."""

    score: float | None
    status: Status = "scored"
    # One line that sums the result up.
    summary: str = ""
    # Concrete reasoning sentences, without numbers or the final "Score:" step.
    reasons: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    # Its reasons are the steps at any score (a judge's reasoning), not only below the threshold.
    reasoned: bool = False
    # A check that scores each of its criteria on its own (the judge): results by criterion.
    criteria: Mapping[str, CriticResult] = field(default_factory=dict)

    def for_criterion(self, name: str) -> CriticResult:
        """The result one bound criterion gets: its own when the check gives one, else this."""
        return self.criteria.get(name, self)

    @classmethod
    def error(cls, message: str) -> CriticResult:
        """A critic that could not measure anything."""
        return cls(None, "error", message, (message,))

    @classmethod
    def skipped(cls, message: str) -> CriticResult:
        """A critic that was deliberately not run."""
        return cls(None, "skipped", message, (message,))


@dataclass(frozen=True)
class CheckSettings:
    """One check's settings from the rubric's checks block and the caller's overrides."""

    name: str
    command: str | None = None
    timeout: float | None = None
    repeat: int | None = None
    enabled: bool = True
    # For naming: the one-letter names accepted, comma-separated; None: the defaults.
    allow: str | None = None


def python_argv(command: list[str], python: str = sys.executable) -> list[str]:
    """Run ``python`` as the given interpreter (the project's), not whichever is on PATH."""
    if command and command[0] in ("python", "python3"):
        return [python, *command[1:]]
    return command


class Context:
    """What critics share in one run: the change, the repository, a cache and shared work."""

    def __init__(
        self,
        repo: Repository,
        changes: ChangeSet,
        settings: dict[str, CheckSettings],
        cache: Cache,
        scratch: Path,
        needed: frozenset[str],
        pylint_runner: Any = None,
        trusted: bool = True,
        bound: Mapping[str, Sequence[str]] | None = None,
        python: ProjectPython | None = None,
        document: Document | None = None,
        options: ScoreOptions | None = None,
    ) -> None:
        self.repo = repo
        self.changes = changes
        self.settings = settings
        self.cache = cache
        # A private temporary folder for reports and base files, removed after the run.
        self.scratch = scratch
        # The checks this run measures, so shared work can do only what is asked.
        self.needed = needed
        # Replaces the one-shot pylint process (see critics.pylint.PylintRunner).
        self.pylint_runner = pylint_runner
        # Untrusted: nothing of the repository may run, not even through tool configuration.
        self.trusted = trusted
        # The criteria each check measures in this run, to name a finding's owner.
        self.bound = bound or {}
        # The project's interpreter: tests and coverage run in it, pylint sees its packages.
        self.python = python or own_python()
        # The rubric and the run's options, for checks that read more than their settings.
        self.document = document
        self.options = options
        # Results of the checks that have finished, as the engine records them.
        self.results: dict[str, CriticResult] = {}
        self._measured_done: asyncio.Event | None = None
        self._shared: dict[str, asyncio.Task[Any]] = {}

    def _all_measured(self) -> bool:
        return all(
            name in self.results
            for name in self.needed
            if not (name in DECLARED and DECLARED[name].judged)
        )

    def record(self, check: str, result: CriticResult) -> None:
        """A check has finished: judged checks waiting for the measured ones may start."""
        self.results[check] = result
        if self._measured_done is not None and self._all_measured():
            self._measured_done.set()

    async def wait_for_measured(self, check: str) -> None:
        """A judged check waits until every measured check has a result: its evidence."""
        declared = DECLARED.get(check)
        if declared is None or not declared.judged or self._all_measured():
            return
        if self._measured_done is None:
            self._measured_done = asyncio.Event()
        await self._measured_done.wait()

    def setting(self, name: str) -> CheckSettings:
        """The settings of a check, defaults when the rubric configures none."""
        return self.settings.get(name) or CheckSettings(name)

    def leave_to_owners(
        self, check: str, findings: list[Finding]
    ) -> tuple[list[Finding], list[str], str]:
        """The findings ``check`` keeps, a sentence per owner of the others, and a clause.

        A code that a running check claims (catalogue ``claims``) costs only that check's
        criteria: a missing docstring costs ``docs``, not ``style`` as well.
        """
        owners = {
            code: owner for code, owner in claimed_codes(self.needed).items() if owner != check
        }
        kept = [f for f in findings if f.code not in owners]
        left: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.code in owners:
                left.setdefault(owners[finding.code], []).append(finding)
        sentences = []
        for owner, given in left.items():
            codes = ", ".join(sorted({f.label for f in given}))
            criteria = ", ".join(self.bound.get(owner, ())) or owner
            sentences.append(
                f"{len(given)} finding(s) ({codes}) left to {criteria}: the {owner} check "
                "owns these codes, so they do not cost this criterion too."
            )
        given_away = len(findings) - len(kept)
        owners_named = ", ".join(", ".join(self.bound.get(o, ())) or o for o in left)
        clause = f"; {given_away} finding(s) left to {owners_named}" if given_away else ""
        return kept, sentences, clause

    async def shared(self, key: str, factory: Callable[[], Awaitable[T]]) -> T:
        """Work several critics need (one pylint run, one test run), done once."""
        task = self._shared.get(key)
        if task is None:

            async def _call() -> T:
                return await factory()

            task = asyncio.ensure_future(_call())
            self._shared[key] = task
        # One critic timing out must not cancel work another critic is waiting for.
        result: T = await asyncio.shield(task)
        return result

    async def close(self) -> None:
        """Cancel shared work nobody waits for any more, and wait until it has ended."""
        pending = [task for task in self._shared.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for task in self._shared.values():
            if task.done() and not task.cancelled():
                task.exception()  # retrieved, so asyncio does not log it as lost


class Critic(Protocol):
    """A check that measures one aspect of a change."""

    @property
    def name(self) -> str:
        """The check name the rubric binds criteria to."""
        ...

    @property
    def executes_code(self) -> bool:
        """Whether it runs the workspace's own code (tests, benchmarks): needs trust."""
        ...

    @property
    def default_timeout(self) -> float:
        """Seconds before the engine stops it, unless the rubric or the caller say otherwise."""
        ...

    async def run(self, context: Context) -> CriticResult:
        """Measure the change."""
        ...


class DeclaredCritic(ABC):
    """A built-in critic: what it is comes from its catalogue declaration, how it runs from here.

    ``class TodosCritic(DeclaredCritic, check="todos")`` attaches a run to the catalogue's
    ``todos`` declaration (an unknown name fails at import); the class says which finding codes
    it owns and how long it may take.
    """

    declaration: ClassVar[CheckDeclaration]
    # Seconds before the engine stops it, unless the rubric or the caller say otherwise.
    default_timeout: ClassVar[float] = 60.0
    # The finding codes it reports, exactly or as fnmatch patterns ("B[0-9][0-9][0-9]").
    codes: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, *, check: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if check not in DECLARED:
            raise TypeError(f"{cls.__name__}: no check {check!r} in language/catalogue.py")
        cls.declaration = DECLARED[check]

    @property
    def name(self) -> str:
        """The declared check name."""
        return self.declaration.name

    @property
    def executes_code(self) -> bool:
        """Whether the declaration says it runs the workspace's own code."""
        return self.declaration.executes_code

    def owns(self, code: str) -> bool:
        """Whether a finding code is one this critic reports."""
        return any(fnmatchcase(code, pattern) for pattern in self.codes)

    @abstractmethod
    async def run(self, context: Context) -> CriticResult:
        """Measure the change."""


def registry() -> dict[str, DeclaredCritic]:
    """Every built-in critic by check name, in the catalogue's order."""
    from rubric_lsp.scoring.critics import (
        bandit,
        benchmark,
        complexity,
        coverage,
        docstrings,
        error_handling,
        judge,
        naming,
        pylint,
        tests,
    )

    critics: list[DeclaredCritic] = [
        tests.TestsCritic(),
        coverage.CoverageCritic(),
        pylint.PylintCritic(),
        bandit.BanditCritic(),
        benchmark.BenchmarkCritic(),
        docstrings.DocstringsCritic(),
        judge.JudgeCritic(),
        error_handling.ErrorHandlingCritic(),
        complexity.ComplexityCritic(),
        naming.NamingCritic(),
    ]
    return {critic.name: critic for critic in critics}
