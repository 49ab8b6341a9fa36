"""The benchmark command on the change and on the base revision: medians compared."""

from __future__ import annotations

import contextlib
import math
import shlex
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.scoring import cache, proc
from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, python_argv
from rubric_lsp.scoring.critics import regression
from rubric_lsp.scoring.snapshot import snapshot

DEFAULT_REPEAT = 5
# An inconclusive comparison runs more pairs, up to this many times the configured repeat.
MAX_REPEAT_FACTOR = 3
DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class Sample:
    """One run: its wall-clock seconds and the number it printed last, if any."""

    seconds: float
    printed: float | None


def last_number(output: str) -> float | None:
    """The number on the last non-empty line of the output, if that line is one."""
    for line in reversed(output.splitlines()):
        text = line.strip()
        if text:
            try:
                return float(text)
            except ValueError:
                return None
    return None


def values(samples: list[Sample], printed: bool) -> list[float]:
    """The numbers compared: printed ones when both sides print one, else wall time."""
    return [s.printed if printed and s.printed is not None else s.seconds for s in samples]


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:g}"


def compare(base: list[float], new: list[float], unit: str = "s") -> tuple[float | None, list[str]]:
    """Score the new runs against the base runs: clamp(1 - 2r, 0, 1), or None: inconclusive.

    With r = median(new) / median(base) - 1 when the slowdown is real, 1.0 when there is
    none or it is within the noise (``regression.compare_runs`` decides which).
    """
    verdict = regression.compare_runs(base, new)
    kind = "runtime" if unit == "s" else "result"
    reasons = [
        f"Baseline {kind}: {_fmt(verdict.base_median, unit)} (median of {len(base)}).",
        f"New code {kind}: {_fmt(verdict.new_median, unit)} (median of {len(new)}).",
    ]
    if verdict.base_median <= 0:
        reasons.append("The baseline is zero: no ratio to compare.")
        return 1.0, reasons
    ratio = verdict.ratio
    noise = _noise(verdict)
    if verdict.outcome == "regression":
        reasons.append(f"Regression {ratio:.0%} (each 10% costs 0.2){noise}.")
        return min(1.0, max(0.0, 1.0 - 2.0 * ratio)), reasons
    if verdict.outcome == "inconclusive":
        reasons.append(
            f"Difference {ratio:+.0%} cannot be told from the runs' noise{noise}: inconclusive."
        )
        return None, reasons
    if ratio <= 0:
        reasons.append(f"Faster by {-ratio:.0%}: no regression.")
    else:
        reasons.append(
            f"Difference {ratio:+.0%} is within the runs' noise{noise}: not a regression."
        )
    return 1.0, reasons


def _noise(verdict: regression.Comparison) -> str:
    """The noise evidence, as a clause: the band and the rank test's p-value."""
    parts = []
    if verdict.standard_error is not None:
        band = math.expm1(regression.BAND * verdict.standard_error)
        parts.append(f"noise band ±{band:.0%} (median absolute deviation)")
    if verdict.p_value is not None:
        parts.append(f"Mann-Whitney p = {verdict.p_value:.3f}")
    return "; " + ", ".join(parts) if parts else ""


async def _sample(argv: list[str], cwd: Path, side: str) -> Sample:
    done = await proc.run(argv, cwd)
    if done.returncode != 0:
        raise RuntimeError(
            f"the benchmark fails on the {side} (exit {done.returncode}): {done.last_error_line()}"
        )
    return Sample(done.seconds, last_number(done.text))


Runner = Callable[[], Awaitable[Sample]]


def printed_numbers(samples: list[Sample]) -> bool:
    """Whether every run printed a number, so the numbers are compared rather than times."""
    return all(s.printed is not None for s in samples)


async def collect_runs(
    run_new: Runner, run_base: Runner, cached: list[Sample], repeat: int, cap: int
) -> tuple[list[Sample], list[Sample]]:
    """Base and new runs, alternating, ``repeat`` a side and more until settled or ``cap``.

    Alternating sides spreads machine noise over both equally; ``cached`` base runs are
    reused, and only an inconclusive comparison needs base runs beyond them.
    """
    base, new = list(cached), list[Sample]()
    while len(new) < repeat:
        new.append(await run_new())
        if len(base) < len(new):
            base.append(await run_base())
    while True:
        printed = printed_numbers(base + new)
        verdict = regression.compare_runs(values(base, printed), values(new, printed))
        if not regression.more_runs(verdict, len(new), cap):
            return base, new
        new.append(await run_new())
        base.append(await run_base())


class BenchmarkCritic(DeclaredCritic, check="benchmark"):
    """Runs the configured benchmark ``repeat`` times on both sides, alternating."""

    default_timeout = DEFAULT_TIMEOUT

    async def run(self, context: Context) -> CriticResult:
        """Compare medians; the base side is cached per base commit."""
        setting = context.setting("benchmark")
        if not setting.command:
            return CriticResult.skipped(
                'no benchmark command: add checks { benchmark command="..." } to the rubric'
            )
        base_commit = context.changes.base
        if base_commit is None:
            return CriticResult.skipped("no base commit to compare the benchmark with")
        # `python` is the project's interpreter, as for the tests: the benchmark imports what
        # the project's environment has, on both sides.
        python = context.python.executable
        argv = python_argv(shlex.split(setting.command), python)
        repeat = setting.repeat or DEFAULT_REPEAT
        entry = cache.key("benchmark", base_commit, setting.command, repeat, python)
        stored = context.cache.get("benchmark", entry)
        cached: list[Sample] = []
        if isinstance(stored, list) and len(stored) == repeat:
            cached = [Sample(float(s), None if p is None else float(p)) for s, p in stored]
        async with contextlib.AsyncExitStack() as stack:
            folders: list[Path] = []

            async def run_new() -> Sample:
                return await _sample(argv, context.changes.work_dir, "change")

            async def checkout() -> None:
                folders.append(
                    await stack.enter_async_context(snapshot(context.repo.root, base_commit))
                )

            async def run_base() -> Sample:
                # With cached base runs the base is checked out only if more are needed.
                if not folders:
                    await checkout()
                return await _sample(argv, folders[0], "base revision")

            if not cached:
                await checkout()
            base, new = await collect_runs(
                run_new, run_base, cached, repeat, repeat * MAX_REPEAT_FACTOR
            )
        if not cached:
            context.cache.put("benchmark", entry, [[s.seconds, s.printed] for s in base[:repeat]])
        printed = printed_numbers(base + new)
        unit = "printed" if printed else "s"
        score, reasons = compare(values(base, printed), values(new, printed), unit)
        reasons.insert(
            0,
            f"Ran `{setting.command}` {len(new)} time(s) on the change and {len(base)} on the "
            f"base {base_commit[:12]}"
            + (f" with {python}" if argv[0] == python else "")
            + (f" ({len(cached)} base runs cached)" if cached else "")
            + ", comparing "
            + ("the number it prints last." if printed else "wall-clock time."),
        )
        if len(new) > repeat:
            reasons.insert(1, f"The first {repeat} pairs were inconclusive: ran more pairs.")
        base_median = statistics.median(values(base, printed))
        new_median = statistics.median(values(new, printed))
        summary = f"median {_fmt(new_median, unit)} vs {_fmt(base_median, unit)} on the base"
        if base_median > 0:
            summary += f" ({new_median / base_median - 1:+.0%})"
        evidence = {"base": values(base, printed), "new": values(new, printed), "unit": unit}
        if score is None:
            message = (
                f"benchmark inconclusive after {len(new)} runs a side: {summary}, "
                "within the runs' noise but possibly a regression"
            )
            return CriticResult(None, "error", message, (*reasons, message), evidence=evidence)
        return CriticResult(score, summary=summary, reasons=tuple(reasons), evidence=evidence)
