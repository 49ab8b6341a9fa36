"""Time `rubric score` (pylint + bandit critics) against diff-quality + bandit on a real diff.

Run: python benchmarks/bench_scoring.py [--runs N] [--package jinja2] [--files 6]

It copies a pure-Python package from this environment into a temporary git repository,
changes a few of its modules, and times, alternating, in one run:
  * what a CI script does today: `diff-quality --violations=pylint`, then `bandit` on the
    changed files;
  * `rubric score` with the pylint and bandit critics (cold: --no-cache);
  * each critic alone, to show that concurrent critics cost about the slowest one;
  * a second `rubric score` with nothing changed (warm cache), and one after editing the
    changed files again (the base's results cached, the new side linted);
  * a 1-file diff in a large repository against the same diff in a small one.
Targets: rubric/CI <= 0.35, both critics / slowest alone <= 1.15, warm < 1 s,
large/small about 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUBRIC = """\
reward_rubric {
  criterion style weight=1 check=pylint
  criterion security weight=1 check=bandit
}
"""

# A realistic edit: a new helper with a docstring, and a changed line inside a function.
ADDITION = '''

def _bench_helper_{n}(values, limit=10):
    """Return the values below a limit, doubled."""
    result = []
    for value in values:
        if value < limit:
            result.append(value * 2)
    return result
'''

# Packages bundled into the "large" repository for the 1-file comparison.
LARGE_EXTRA = ("pygments", "rich", "astroid", "pylint", "hypothesis", "mypy")


def _env() -> dict[str, str]:
    """The tools of this environment first on PATH (diff-quality starts `pylint` by name)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def git(repo: Path, *args: str) -> str:
    """Run git quietly as a fixed author."""
    env = _env() | {
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def package_dir(name: str) -> Path:
    """Where an installed package's sources live."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"package {name} is not installed")
    return Path(spec.origin).parent


def make_repo(root: Path, packages: list[str]) -> Path:
    """A git repository holding copies of the packages, committed."""
    root.mkdir(parents=True)
    for name in packages:
        shutil.copytree(
            package_dir(name), root / name, ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def change(repo: Path, package: str, count: int) -> list[str]:
    """Edit the ``count`` largest modules of a package; return their paths."""
    modules = sorted(
        (p for p in (repo / package).glob("*.py") if p.name != "__init__.py"),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )[:count]
    for n, path in enumerate(modules):
        text = path.read_text()
        path.write_text(text + ADDITION.format(n=n))
    return [str(p.relative_to(repo)) for p in modules]


def timed(argv: list[str], cwd: Path) -> float:
    """Wall-clock seconds of one command (its output discarded)."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def rubric(repo: Path, rubric_file: Path, *extra: str) -> list[str]:
    """The `rubric score` command line."""
    return [
        sys.executable,
        "-m",
        "rubric_lsp.cli",
        "score",
        "--repo",
        str(repo),
        "--rubric",
        str(rubric_file),
        "--format",
        "json",
        *extra,
    ]


def median(samples: list[float]) -> float:
    """The median, for printing."""
    return statistics.median(samples)


def main() -> None:
    """Build the repositories, time the commands alternately, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--package", default="jinja2")
    parser.add_argument("--files", type=int, default=6)
    args = parser.parse_args()
    if shutil.which("diff-quality", path=_env()["PATH"]) is None:
        raise SystemExit("diff-quality is not installed: pip install diff-cover")
    with tempfile.TemporaryDirectory(prefix="rubric-bench-") as temp:
        root = Path(temp)
        rubric_file = root / "bench.rubric"
        rubric_file.write_text(RUBRIC)
        small = make_repo(root / "small", [args.package])
        files = change(small, args.package, args.files)
        lines = sum(len((small / f).read_text().splitlines()) for f in files)
        print(f"diff: {len(files)} changed files of {args.package} ({lines} lines in them)")
        ci = [
            ["diff-quality", "--violations=pylint", "--compare-branch=HEAD"],
            [sys.executable, "-m", "bandit", "-q", "-f", "json", *files],
        ]
        samples: dict[str, list[float]] = {
            "ci": [],
            "rubric": [],
            "pylint": [],
            "bandit": [],
            "warm": [],
            "edited": [],
        }
        for run in range(args.runs):
            samples["ci"].append(sum(timed(command, small) for command in ci))
            samples["rubric"].append(timed(rubric(small, rubric_file, "--no-cache"), small))
            samples["pylint"].append(
                timed(rubric(small, rubric_file, "--no-cache", "--only", "pylint"), small)
            )
            samples["bandit"].append(
                timed(rubric(small, rubric_file, "--no-cache", "--only", "bandit"), small)
            )
            timed(rubric(small, rubric_file), small)  # fill the cache
            samples["warm"].append(timed(rubric(small, rubric_file), small))
            # The edit loop: the base is cached, the changed files were edited again.
            saved = {name: (small / name).read_text() for name in files}
            for name in files:
                # New content every run, so nothing of the new side can come from the cache.
                (small / name).write_text(saved[name] + f"\nEDITED_{run} = {time.time_ns()}\n")
            samples["edited"].append(timed(rubric(small, rubric_file), small))
            for name, text in saved.items():
                (small / name).write_text(text)
        for name, label in (
            ("ci", "diff-quality --violations=pylint + bandit"),
            ("rubric", "rubric score (pylint + bandit, cold)"),
            ("pylint", "rubric score --only pylint (cold)"),
            ("bandit", "rubric score --only bandit (cold)"),
            ("warm", "rubric score, nothing changed (cached)"),
            ("edited", "rubric score, files edited again (base cached)"),
        ):
            values = ", ".join(f"{v:.2f}" for v in samples[name])
            print(f"  {label:<48} median {median(samples[name]):6.2f} s   [{values}]")
        ratio = [r / c for r, c in zip(samples["rubric"], samples["ci"], strict=True)]
        slowest = [
            r / max(p, b)
            for r, p, b in zip(samples["rubric"], samples["pylint"], samples["bandit"], strict=True)
        ]
        edited = [e / c for e, c in zip(samples["edited"], samples["ci"], strict=True)]
        print(f"ratio rubric / CI script:            median {median(ratio):.2f} (target <= 0.35)")
        print(f"ratio rubric, base cached / CI:      median {median(edited):.2f}")
        print(f"ratio both critics / slowest alone:  median {median(slowest):.2f} (target <= 1.15)")
        warm = median(samples["warm"])
        print(f"second run with nothing changed:     median {warm:.2f} s (target < 1 s)")

        large = make_repo(root / "large", [args.package, *LARGE_EXTRA])
        small_one = make_repo(root / "small1", [args.package])
        one_large = change(large, args.package, 1)
        change(small_one, args.package, 1)
        tracked = len(git(large, "ls-files").splitlines())
        sizes: dict[str, list[float]] = {"large": [], "small": []}
        for _ in range(args.runs):
            sizes["large"].append(timed(rubric(large, rubric_file, "--no-cache"), large))
            sizes["small"].append(timed(rubric(small_one, rubric_file, "--no-cache"), small_one))
        print(
            f"1-file diff ({one_large[0]}): {tracked} files tracked vs "
            f"{len(git(small_one, 'ls-files').splitlines())}: "
            f"large {median(sizes['large']):.2f} s, small {median(sizes['small']):.2f} s, "
            f"ratio {median(sizes['large']) / median(sizes['small']):.2f}  (target about 1)"
        )


if __name__ == "__main__":
    main()
