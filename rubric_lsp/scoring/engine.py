"""Run the critics a rubric binds, concurrently and isolated, then aggregate with evaluate()."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from rubric_lsp.language.catalogue import DECLARED
from rubric_lsp.language.evaluate import CriterionResult, Evaluation, Subscore, evaluate
from rubric_lsp.language.gate import Agreement, calibration_gate
from rubric_lsp.language.model import CheckConfig, Document
from rubric_lsp.scoring.cache import Cache
from rubric_lsp.scoring.critic import (
    CheckSettings,
    Context,
    Critic,
    CriticResult,
    registry,
)
from rubric_lsp.scoring.diff import ChangeSet, collect_changes
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.interpreter import ProjectPython, find_python
from rubric_lsp.scoring.options import DEFAULT_HEAL_THRESHOLD

# Callers have always imported the options from here.
from rubric_lsp.scoring.options import ScoreOptions as ScoreOptions
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.reaper import owned_tempdir, reap

# Callers import the result types from here too.
from rubric_lsp.scoring.result import (
    SCHEMA_VERSION as SCHEMA_VERSION,
)
from rubric_lsp.scoring.result import (
    CriterionScore as CriterionScore,
)
from rubric_lsp.scoring.result import (
    Progress as Progress,
)
from rubric_lsp.scoring.result import (
    ProgressCallback as ProgressCallback,
)
from rubric_lsp.scoring.result import (
    ScoreResult as ScoreResult,
)
from rubric_lsp.scoring.result import (
    number as number,
)
from rubric_lsp.scoring.review.enqueue import queue_borderline
from rubric_lsp.scoring.rubricfile import LoadedRubric, describe_origin, load
from rubric_lsp.scoring.skipped import over_limit, reads_changed_files, with_skipped
from rubric_lsp.scoring.snapshot import apply_patch, snapshot
from rubric_lsp.scoring.treewatch import changed_between, tree_files

_log = logging.getLogger(__name__)
# A library logs, the program decides where to: never Python's last-resort print to stderr.
_log.addHandler(logging.NullHandler())


def check_settings(document: Document, options: ScoreOptions) -> dict[str, CheckSettings]:
    """The checks block's settings merged with the caller's overrides."""
    settings: dict[str, CheckSettings] = {}
    block = document.first("checks")
    entries = [e for e in block.entries if isinstance(e, CheckConfig)] if block else []
    for entry in entries:
        name = entry.name.text
        if name in settings:
            continue

        def value(key: str, config: CheckConfig = entry) -> Any:
            attribute = config.attribute(key)
            return attribute.value if attribute else None

        command = value("command")
        timeout = value("timeout")
        repeat = value("repeat")
        enabled = value("enabled")
        allow = value("allow")
        settings[name] = CheckSettings(
            name,
            command=command.text if command is not None else None,
            timeout=timeout.number if timeout is not None else None,
            repeat=int(repeat.number) if repeat is not None and repeat.number else None,
            enabled=enabled is None or enabled.raw != "false",
            allow=allow.text if allow is not None else None,
        )
    for name, on in options.enabled.items():
        current = settings.get(name, CheckSettings(name))
        settings[name] = replace(current, enabled=on)
    for name, seconds in options.timeouts.items():
        current = settings.get(name, CheckSettings(name))
        settings[name] = replace(current, timeout=seconds)
    return settings


def _timeout(critic: Critic, settings: dict[str, CheckSettings]) -> float:
    """A critic's seconds: its setting, that of the run it is measured from, or its default."""
    own = settings.get(critic.name)
    if own is not None and own.timeout:
        return own.timeout
    declared = DECLARED.get(critic.name)
    if declared is not None and declared.measured_from is not None:
        shared = settings.get(declared.measured_from)
        if shared is not None and shared.timeout:
            return shared.timeout
    return critic.default_timeout


def character_columns(result: CriticResult, context: Context) -> CriticResult:
    """Findings' columns in characters: Python's ast (so pylint and bandit) counts UTF-8 bytes."""
    lines_of: dict[str, list[bytes] | None] = {}

    def line(path: str, number: int | None) -> bytes:
        if path not in lines_of:
            try:
                lines_of[path] = (context.changes.work_dir / path).read_bytes().split(b"\n")
            except OSError:
                lines_of[path] = None
        lines = lines_of[path]
        if lines is None or number is None or not 1 <= number <= len(lines):
            return b""
        return lines[number - 1]

    def characters(data: bytes, column: int | None) -> int | None:
        if column is None or data.isascii():
            return column
        return len(data[:column].decode("utf-8", errors="replace"))

    fixed = []
    for finding in result.findings:
        start, end = line(finding.path, finding.line), line(finding.path, finding.end_line)
        fixed.append(
            replace(
                finding,
                column=characters(start, finding.column) or 0,
                end_column=characters(end, finding.end_column),
            )
        )
    return replace(result, findings=tuple(fixed)) if result.findings else result


async def _run_critic(critic: Critic, context: Context, timeout: float) -> CriticResult:
    """One critic, isolated: a crash or a timeout becomes an error result."""
    try:
        async with asyncio.timeout(timeout):
            result = character_columns(await critic.run(context), context)
            return with_skipped(result, context.changes)
    except TimeoutError:
        return CriticResult.error(f"{critic.name} timed out after {timeout:g} s")
    except ScoringError as error:
        return CriticResult.error(str(error))
    except Exception as error:  # a critic's bug must not sink the others
        # The result says what failed; the log keeps where (the server log, --log-file).
        _log.exception("%s crashed", critic.name)
        message = str(error) or type(error).__name__
        return CriticResult.error(f"{critic.name} failed: {message}")


async def run_critics(
    checks: dict[str, list[str]],
    context: Context,
    options: ScoreOptions,
    critics: Mapping[str, Critic],
    progress: ProgressCallback | None = None,
    too_big: str = "",
) -> dict[str, CriticResult]:
    """Every needed check at once; cancelling this cancels them all and ends their processes.

    ``too_big`` (from over_limit) makes every check that reads changed files an error.
    """
    results: dict[str, CriticResult] = {}
    total = len(checks)

    def finished(name: str, result: CriticResult) -> None:
        results[name] = result
        context.record(name, result)
        if progress is not None:
            event = Progress(
                name, tuple(checks[name]), result.status, result.score, len(results), total
            )
            # A failing progress display must not cost the run its results.
            with contextlib.suppress(Exception):
                progress(event)

    async def one(name: str) -> None:
        critic = critics[name]
        if critic.executes_code and not options.trusted:
            finished(
                name,
                CriticResult.skipped(
                    f"not run: {name} executes the workspace's code and the workspace is not "
                    f"trusted; {options.untrusted_hint}"
                ),
            )
            return
        if too_big and reads_changed_files(name):
            finished(name, CriticResult.error(too_big))
            return
        # A judged check starts when the measured ones are done; its time limit starts then.
        await context.wait_for_measured(name)
        result = await _run_critic(critic, context, _timeout(critic, context.settings))
        finished(name, result)

    try:
        async with asyncio.TaskGroup() as group:
            for name in checks:
                group.create_task(one(name))
    finally:
        await context.close()
    return results


def plan(
    document: Document, settings: dict[str, CheckSettings], critics: Mapping[str, Critic]
) -> dict[str, list[str]]:
    """Which checks to run, and the criteria each measures."""
    from rubric_lsp.language.checks import bound_check

    checks: dict[str, list[str]] = {}
    seen: set[str] = set()
    for criterion in document.criteria:
        name = criterion.name.text
        if name in seen:
            continue
        seen.add(name)
        check = bound_check(criterion)
        if check is None or check not in critics:
            continue
        setting = settings.get(check)
        if setting is not None and not setting.enabled:
            continue
        checks.setdefault(check, []).append(name)
    return checks


def _steps(
    result: CriterionResult,
    critic: CriticResult | None,
    threshold: float,
    scale_max: float,
    hand_block: str,
    disabled: bool,
) -> tuple[str, ...]:
    """Numbered reasoning ending in 'Score: X': in full for weak criteria, else one line."""
    final = "Score: unscored" if result.score is None else f"Score: {number(result.score)}"
    if critic is not None:
        # A judge's reasoning is its steps at any score; a tool's strong result is one line.
        strong = result.score is not None and result.score >= threshold
        if strong and critic.status == "scored" and not critic.reasoned:
            summary = critic.summary.rstrip(".")
            return (f"1. {summary[:1].upper()}{summary[1:]}. {final}",)
        sentences = [*critic.reasons] or [critic.summary]
        if critic.status == "scored" and result.score is not None and result.score < threshold:
            sentences.append(f"Below the healing threshold {number(threshold)}.")
        if critic.status in ("error", "skipped"):
            final = f"Score: {critic.status}"
        numbered = [f"{i}. {sentence}" for i, sentence in enumerate(sentences, 1)]
        numbered.append(f"{len(numbered) + 1}. {final}")
        return tuple(numbered)
    if result.source == "hand" and result.points is not None:
        comment = f': "{result.comment}"' if result.comment else ""
        return (
            f"1. Hand score {number(result.points)}/{number(scale_max)} from the {hand_block} "
            f"block{comment}. {final}",
        )
    why = (
        f"The {result.check} check is turned off"
        if disabled
        else "No check measures this criterion"
    )
    return (f"1. {why}, and no score or rescore block scores it. {final}",)


def aggregate(
    document: Document,
    results: Mapping[str, CriticResult],
    checks: Mapping[str, list[str]],
    threshold: float = DEFAULT_HEAL_THRESHOLD,
    disabled: frozenset[str] = frozenset(),
    agreement: Mapping[str, Agreement] | None = None,
) -> tuple[Evaluation, dict[str, CriterionScore]]:
    """Turn critic results into subscores and let evaluate() do points, totals and rules."""
    from rubric_lsp.language.evaluate import hand_scores

    by_criterion: dict[str, CriticResult] = {}
    for check, names in checks.items():
        if check in results:
            for name in names:
                by_criterion[name] = results[check].for_criterion(name)
    measured = {name: Subscore(r.score, r.status, r.summary) for name, r in by_criterion.items()}
    evaluation = evaluate(document, measured, agreement)
    _, scale_max = document.scale
    hand = hand_scores(document)
    criteria: dict[str, CriterionScore] = {}
    for name, result in evaluation.criteria.items():
        critic = by_criterion.get(name)
        entry = hand.get(name)
        block = "score"
        if entry is not None:
            for candidate in document.blocks:
                if entry in candidate.entries:
                    block = candidate.kind
        criteria[name] = CriterionScore(
            name=name,
            score=result.score,
            points=result.points,
            weight=result.weight,
            check=result.check,
            status=result.status,
            comment=result.comment,
            steps=_steps(result, critic, threshold, scale_max, block, result.check in disabled),
            findings=critic.findings if critic is not None else (),
            source=result.source,
            evidence=dict(critic.evidence) if critic is not None else {},
        )
    return evaluation, criteria


async def run_scoring(
    options: ScoreOptions, progress: ProgressCallback | None = None
) -> ScoreResult:
    """Score the change against the rubric; safe to run and to cancel from an event loop."""
    started = time.perf_counter()
    repo = await Repository.find(options.repo)
    # Off the event loop: a server keeps answering while a large rubric is parsed.
    rubric = await asyncio.to_thread(load, repo.root, options.rubric or None, options.rubric_text)
    base = await repo.resolve_base(options.base)
    if options.patch is not None and base is None:
        raise ScoringError("--patch needs a base commit; the repository has no commits yet")
    settings = check_settings(rubric.document, options)
    critics = registry()
    checks = plan(rubric.document, settings, critics)
    disabled = frozenset(name for name, s in settings.items() if not s.enabled)
    cache = Cache(repo.cache_dir if options.use_cache else None)
    python = find_python(repo.root, options.python, getattr(settings.get("tests"), "command", None))
    # Leftovers of runs killed before they could clean up; then mark this run's own folder.
    await asyncio.to_thread(reap, repo.git_dir)
    scratch = owned_tempdir("rubric-score-")
    tree_changed: tuple[str, ...] = ()

    async def measure(changes: ChangeSet) -> dict[str, CriticResult]:
        """Run the checks on one side's changes: the patched checkout, or the user's tree."""
        return await _measure(
            repo,
            changes,
            settings,
            cache,
            scratch,
            checks,
            options,
            critics,
            progress,
            python,
            rubric.document,
        )

    try:
        if options.patch is not None:
            async with (options.checkout or snapshot)(repo.root, base) as folder:
                await apply_patch(folder, options.patch)
                changes = await collect_changes(folder, base)
                results = await measure(changes)
        else:
            # The tests and the benchmark run in the user's tree: say what they changed there.
            watch = options.trusted and any(critics[c].executes_code for c in checks)
            before = await tree_files(repo.root) if watch else None
            changes = await collect_changes(repo.root, base, run_filters=options.trusted)
            results = await measure(changes)
            if before is not None:
                tree_changed = changed_between(before, await tree_files(repo.root))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    gated = [c.name.text for c in rubric.document.criteria if calibration_gate(c) is not None]
    agreement = None
    # Only a rubric with calibration-gated criteria reads the queue's labels (and numpy).
    if gated:
        from rubric_lsp.scoring.review.agreement import agreement_of

        agreement = await asyncio.to_thread(agreement_of, repo.git_dir, gated)
    evaluation, criteria = await asyncio.to_thread(
        aggregate, rubric.document, results, checks, options.heal_threshold, disabled, agreement
    )
    result = ScoreResult(
        rubric=rubric.path,
        rubric_origin=describe_origin(rubric),
        base=base,
        base_ref=options.base,
        changed_files=tuple(f.path for f in changes.files),
        criteria=criteria,
        evaluation=evaluation,
        heal_threshold=options.heal_threshold,
        trusted=options.trusted,
        seconds=time.perf_counter() - started,
        document=rubric.document,
        tree_changed_by_tests=tree_changed,
        python=python,
        judge=results["judge"].evidence.get("run") if "judge" in results else None,
    )
    if options.queue_review and result.review:
        result = await queue_borderline(repo, result, changes, options.patch)
    return result


async def _measure(
    repo: Repository,
    changes: ChangeSet,
    settings: dict[str, CheckSettings],
    cache: Cache,
    scratch: Path,
    checks: dict[str, list[str]],
    options: ScoreOptions,
    critics: Mapping[str, Critic],
    progress: ProgressCallback | None,
    python: ProjectPython,
    document: Document,
) -> dict[str, CriticResult]:
    too_big = over_limit(changes, options)
    # A check that will not run must not cost the others (coverage's --include of every file).
    needed = frozenset(c for c in checks if not (too_big and reads_changed_files(c)))
    context = Context(
        repo,
        changes,
        settings,
        cache,
        scratch,
        needed,
        options.pylint_runner,
        trusted=options.trusted,
        bound=checks,
        python=python,
        document=document,
        options=options,
    )
    return await run_critics(checks, context, options, critics, progress, too_big)


def loaded_rubric(repo_root: Path, options: ScoreOptions) -> LoadedRubric:
    """The rubric a run would use, without scoring (for callers that show it first)."""
    return load(repo_root, options.rubric or None, options.rubric_text)
