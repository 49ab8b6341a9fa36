"""A group of real patches on one base: one `rubric score --patch` at a time, one `--batch`, Ray.

Run: python benchmarks/bench_batch.py [--runs 1] [--workers 2] [--no-ray]
     [--source /work/.mirror/tkem+cachetools/repo] [--commit 371ba00]

Clones a public repository (tkem/cachetools by default) at the parent of a real multi-file
commit, and makes one patch per file the commit changes plus one of the whole commit. With
the static checks only (pylint, bandit, docstrings, complexity, naming, error_handling) it
times, medians over the runs, each mode starting from an empty result cache:
  * every patch scored by its own `rubric score --patch` process, one after the other;
  * all of them in one `rubric score --batch --workers N` (the local engine);
  * the same batch with `--engine ray` on a local Ray cluster of N CPUs.
It prints the totals, the ratios and the load, and checks the scores are identical.
Targets on a 2-core machine: batch <= 0.35x one-at-a-time; Ray <= 1.5x the local batch.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUBRIC = str(Path(sys.executable).with_name("rubric"))
STATIC = ["--skip", "tests", "--skip", "coverage", "--skip", "benchmark"]


def git(repo: Path, *args: str) -> str:
    """Run git in the repository; its output."""
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def prepare(source: str, commit: str, folder: Path) -> tuple[Path, dict[str, str]]:
    """A clone at the commit's parent, and the patches: each changed file, then the whole."""
    repo = folder / "repo"
    subprocess.run(["git", "clone", "--quiet", source, str(repo)], check=True)
    base = git(repo, "rev-parse", f"{commit}^").strip()
    git(repo, "checkout", "--quiet", "--detach", base)
    files = git(repo, "diff", "--name-only", base, commit, "--", "*.py").split()
    patches = {path: git(repo, "diff", base, commit, "--", path) for path in files}
    patches["whole commit"] = git(repo, "diff", base, commit)
    return repo, patches


def scores(line: dict[str, object]) -> object:
    """What must be identical across the modes: the final score and each criterion's."""
    criteria = line.get("criteria") or {}
    assert isinstance(criteria, dict)
    per = {name: (c["score"], c["status"]) for name, c in criteria.items()}
    return line.get("final_score"), per, line.get("error")


def one_at_a_time(repo: Path, patches: dict[str, str]) -> tuple[float, dict[str, object]]:
    """Each patch in its own process, one after the other."""
    found: dict[str, object] = {}
    started = time.perf_counter()
    for name, patch in patches.items():
        done = subprocess.run(
            [RUBRIC, "score", "--repo", str(repo), "--patch", "-", "--format", "json", *STATIC],
            input=patch,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        found[name] = scores(json.loads(done.stdout))
    return time.perf_counter() - started, found


def batch(
    repo: Path, patches: dict[str, str], workers: int, engine: str
) -> tuple[float, dict[str, object]]:
    """All patches in one `rubric score --batch`."""
    source = repo.parent / "batch.jsonl"
    source.write_text("".join(json.dumps({"id": n, "patch": p}) + "\n" for n, p in patches.items()))
    command = [RUBRIC, "score", "--repo", str(repo), "--batch", str(source), *STATIC]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--workers", str(workers), "--engine", engine],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return seconds, {str(line["id"]): scores(line) for line in lines}


def main() -> int:
    """Time the modes and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ray", action="store_true", help="leave the Ray engine out")
    parser.add_argument("--source", default="/work/.mirror/tkem+cachetools/repo")
    parser.add_argument("--commit", default="371ba00")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        repo, patches = prepare(args.source, args.commit, folder)
        print(f"{len(patches)} patches of {args.commit} on its parent; load {os.getloadavg()}")
        modes = ["one at a time", "batch"] + ([] if args.no_ray else ["ray"])
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        results: dict[str, dict[str, object]] = {}
        for _ in range(args.runs):
            for mode in modes:
                shutil.rmtree(repo / ".git" / "rubric-cache", ignore_errors=True)
                if mode == "one at a time":
                    seconds, results[mode] = one_at_a_time(repo, patches)
                else:
                    engine = "ray" if mode == "ray" else "local"
                    seconds, results[mode] = batch(repo, patches, args.workers, engine)
                times[mode].append(seconds)
                print(f"  {mode}: {seconds:.1f} s (load {os.getloadavg()[0]:.2f})", flush=True)
        median = {mode: statistics.median(found) for mode, found in times.items()}
        alone = median["one at a time"]
        for mode in modes:
            per = median[mode] / len(patches)
            print(f"{mode:>14}: median {median[mode]:6.1f} s, {per:5.2f} s per patch")
        print(f"batch / one at a time: {median['batch'] / alone:.2f}x (target <= 0.35x)")
        if "ray" in median:
            print(f"ray / batch: {median['ray'] / median['batch']:.2f}x (target <= 1.5x)")
        same = all(results[mode] == results["one at a time"] for mode in modes)
        print(f"scores identical across modes: {same}; load {os.getloadavg()}")
        return 0 if same else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
