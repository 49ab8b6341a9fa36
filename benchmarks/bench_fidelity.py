"""Fidelity of the reward on real patches: does a defective twin score lower, and where?

Run: python benchmarks/bench_fidelity.py [--commits 4] [--workers 2] [--mirrors DIR] [--json FILE]

For each of three small pure-Python projects, cloned from a local mirror (a bare git dir:
no network), it takes the last commits that change the package's code, plants every defect of
`rubric test`'s catalogue in each (rubric_lsp/scoring/mutations/), and scores original and
twin with every check but benchmark, through the engine's patch path (temporary checkouts).
It prints, per defect type, the share of pairs where the twin scores lower ("ordered") and
where the largest drop of the weighted score lands on the criterion bound to the check that
targets the defect ("landed"), then every pair that missed.
Targets: >= 95 % ordered and >= 90 % landed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rubric_lsp.scoring.engine import ScoreOptions
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.mutations.campaign import ConcurrentScorer, Outcome, run_campaign
from rubric_lsp.scoring.mutations.catalogue import DEFECTS
from rubric_lsp.scoring.mutations.source import functions
from rubric_lsp.scoring.mutations.twins import Change, recent_commits
from rubric_lsp.scoring.pysource import is_test_file

# `asyncio` is off: this environment's pytest-asyncio warns, and these suites make warnings errors.
PYTEST = "python -m pytest -q -p no:asyncio -o pythonpath=src"


@dataclass(frozen=True)
class Project:
    """A public repository, the folder of its package and how its tests run here."""

    name: str
    mirror: str
    package: str
    tests: str


PROJECTS = (
    Project("cachetools", "tkem+cachetools", "src/cachetools/", f"{PYTEST} tests"),
    Project("tomli", "hukkin+tomli", "src/tomli/", f"{PYTEST} tests"),
    # Its tests need freezegun (the `bench` extra).
    Project("itsdangerous", "pallets+itsdangerous", "src/itsdangerous/", f"{PYTEST} tests"),
)

# Every criterion, each bound to its default check; benchmark left out.
RUBRIC = """\
reward_rubric {
  criterion correctness weight=1
  criterion tests weight=1
  criterion style weight=1
  criterion security weight=1
  criterion docs weight=1
  criterion error_handling weight=1
  criterion readability weight=1
  criterion naming weight=1
}
checks {
  tests command="%s" timeout=900
}
"""


def clone(mirror: Path, target: Path) -> Path:
    """A local clone of a mirror (a bare git dir), with its default branch checked out."""
    subprocess.run(["git", "clone", "-q", str(mirror), str(target)], check=True)
    return target


async def package_commits(repo: Repository, project: Project, count: int) -> list[Change]:
    """The last ``count`` commits changing the package's functions, with its code and tests."""
    found: list[Change] = []
    for change in await recent_commits(repo, count * 8):
        files = tuple(
            f
            for f in change.files
            if f.source.path.startswith(project.package) or is_test_file(f.source.path)
        )
        # A commit that only bumps a version string offers most defects nowhere to go.
        if any(
            not is_test_file(f.source.path) and any(map(f.source.touches, functions(f.source)))
            for f in files
        ):
            found.append(replace(change, files=files))
        if len(found) == count:
            break
    return found


async def measure(project: Project, root: Path, args: argparse.Namespace) -> list[Outcome]:
    """Plant every defect in the project's recent commits and compare each twin's score."""
    repo = await Repository.find(root)
    changes = await package_commits(repo, project, args.commits)
    rubric = root.parent / f"{project.name}.rubric"
    rubric.write_text(RUBRIC % project.tests)
    options = ScoreOptions(repo=root, rubric=str(rubric), use_cache=True)

    def show(done: int, total: int) -> None:
        print(f"\r  {project.name}: {done}/{total} scored", end="", file=sys.stderr, flush=True)

    report = await run_campaign(changes, DEFECTS, options, ConcurrentScorer(args.workers), show)
    print(file=sys.stderr)
    for label, error in report.unscored:
        print(f"  {project.name}: not scored: {label}: {error}")
    return [o for s in report.summaries for o in s.outcomes]


def share(part: int, whole: int) -> str:
    """A percentage, or '-' of nothing."""
    return f"{100 * part / whole:5.1f} %" if whole else "    -  "


def print_table(results: dict[str, list[Outcome]]) -> None:
    """Per defect type: pairs, ordered, landed; then the total and every miss."""
    every = [o for outcomes in results.values() for o in outcomes]
    print(f"{'defect':22} {'pairs':>5} {'ordered':>9} {'landed':>9}")
    for defect in DEFECTS:
        pairs = [o for o in every if o.defect == defect.name]
        ordered = sum(o.caught for o in pairs)
        landed = sum(o.landed for o in pairs)
        print(
            f"{defect.name:22} {len(pairs):5} {share(ordered, len(pairs)):>9} "
            f"{share(landed, len(pairs)):>9}"
        )
    ordered = sum(o.caught for o in every)
    landed = sum(o.landed for o in every)
    print(
        f"{'all':22} {len(every):5} {share(ordered, len(every)):>9} {share(landed, len(every)):>9}"
    )
    print("(targets: ordered >= 95 %, landed >= 90 %)")
    misses = [(name, o) for name, outcomes in results.items() for o in outcomes if not o.landed]
    if misses:
        print("\npairs not ordered or not landed:")
    for name, outcome in misses:
        top = outcome.criterion or "no drop"
        drops = ", ".join(f"{c} {d:+.3f}" for c, d in outcome.drops.items() if abs(d) > 1e-6)
        why = outcome.error or f"largest drop on {top}; intended {', '.join(outcome.intended)}"
        print(f"  {name} {outcome.change[:40]:40} {outcome.defect:20} {why}  [{drops}]")


def main() -> int:
    """Clone, plant, score, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=4, help="commits per project")
    parser.add_argument("--workers", type=int, default=2, help="scorings at once")
    parser.add_argument(
        "--mirrors",
        default=os.environ.get("RUBRIC_MIRRORS", "/work/.mirror"),
        help="folder of <owner>+<name>/repo bare git dirs",
    )
    parser.add_argument("--only", action="append", default=[], help="project names to run")
    parser.add_argument("--json", metavar="FILE", help="write every pair's outcome here")
    args = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-fidelity-") as scratch:
        for project in PROJECTS:
            if args.only and project.name not in args.only:
                continue
            mirror = Path(args.mirrors) / project.mirror / "repo"
            if not mirror.is_dir():
                print(f"  {project.name}: no mirror at {mirror}, left out")
                continue
            root = clone(mirror, Path(scratch) / project.name / "repo")
            results[project.name] = asyncio.run(measure(project, root, args))
    print_table(results)
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json:
        data = {name: [o.to_json() for o in outcomes] for name, outcomes in results.items()}
        Path(args.json).write_text(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
