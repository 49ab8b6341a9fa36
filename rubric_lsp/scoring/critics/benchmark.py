"""The benchmark command on the change and on the base revision: medians compared."""

from __future__ import annotations

import shlex
import statistics
from dataclasses import dataclass
from pathlib import Path

from rubric_lsp.scoring import cache, proc
from rubric_lsp.scoring.critic import Context, CriticResult, DeclaredCritic, python_argv
from rubric_lsp.scoring.snapshot import snapshot

DEFAULT_REPEAT = 5
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


def compare(base: list[float], new: list[float], unit: str = "s") -> tuple[float, list[str]]:
    """Score the new runs against the base runs: clamp(1 - 2r, 0, 1), noise scores 1.

    With r = median(new) / median(base) - 1; a difference no larger than the spread
    (max - min) of either side's repeated runs is noise, not a regression.
    """
    base_median = statistics.median(base)
    new_median = statistics.median(new)
    spread = max(max(base) - min(base), max(new) - min(new))
    reasons = [
        f"Baseline {'runtime' if unit == 's' else 'result'}: {_fmt(base_median, unit)} "
        f"(median of {len(base)}).",
        f"New code {'runtime' if unit == 's' else 'result'}: {_fmt(new_median, unit)} "
        f"(median of {len(new)}).",
    ]
    if base_median <= 0:
        reasons.append("The baseline is zero: no ratio to compare.")
        return 1.0, reasons
    ratio = new_median / base_median - 1
    difference = new_median - base_median
    if abs(difference) <= spread:
        reasons.append(
            f"Difference {ratio:+.0%} is inside the spread of the repeated runs "
            f"({_fmt(spread, unit)}): noise, not a regression."
        )
        return 1.0, reasons
    score = min(1.0, max(0.0, 1.0 - 2.0 * ratio))
    if ratio > 0:
        reasons.append(f"Regression {ratio:.0%} (each 10% costs 0.2).")
    else:
        reasons.append(f"Faster by {-ratio:.0%}: no regression.")
    return score, reasons


async def _sample(argv: list[str], cwd: Path, side: str) -> Sample:
    done = await proc.run(argv, cwd)
    if done.returncode != 0:
        raise RuntimeError(
            f"the benchmark fails on the {side} (exit {done.returncode}): {done.last_error_line()}"
        )
    return Sample(done.seconds, last_number(done.text))


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
        argv = python_argv(shlex.split(setting.command))
        repeat = setting.repeat or DEFAULT_REPEAT
        entry = cache.key("benchmark", base_commit, setting.command, repeat)
        cached = context.cache.get("benchmark", entry)
        new: list[Sample] = []
        base: list[Sample] = []
        if isinstance(cached, list) and len(cached) == repeat:
            base = [Sample(float(s), None if p is None else float(p)) for s, p in cached]
            for _ in range(repeat):
                new.append(await _sample(argv, context.changes.work_dir, "change"))
        else:
            async with snapshot(context.repo.root, base_commit) as folder:
                # Alternating sides spreads machine noise over both equally.
                for _ in range(repeat):
                    new.append(await _sample(argv, context.changes.work_dir, "change"))
                    base.append(await _sample(argv, folder, "base revision"))
            context.cache.put("benchmark", entry, [[s.seconds, s.printed] for s in base])
        printed = all(s.printed is not None for s in base + new)
        unit = "printed" if printed else "s"
        score, reasons = compare(values(base, printed), values(new, printed), unit)
        reasons.insert(
            0,
            f"Ran `{setting.command}` {repeat} time(s) on the change and on the base "
            f"{base_commit[:12]}"
            + (" (base runs cached)" if cached else "")
            + ", comparing "
            + ("the number it prints last." if printed else "wall-clock time."),
        )
        base_median = statistics.median(values(base, printed))
        new_median = statistics.median(values(new, printed))
        summary = f"median {_fmt(new_median, unit)} vs {_fmt(base_median, unit)} on the base"
        if base_median > 0:
            summary += f" ({new_median / base_median - 1:+.0%})"
        return CriticResult(
            score,
            summary=summary,
            reasons=tuple(reasons),
            evidence={"base": values(base, printed), "new": values(new, printed), "unit": unit},
        )
