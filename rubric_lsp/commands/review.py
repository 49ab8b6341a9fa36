"""`rubric review list|show|label`: the queue of borderline results and the labels people give."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from rubric_lsp.commands.output import print_error
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.result import number
from rubric_lsp.scoring.review.labels import make_label, points_from_pairs, who
from rubric_lsp.scoring.review.queue import ReviewError, ReviewItem, ReviewQueue


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `rubric review`, `rubric calibrate` and `rubric dataset`."""
    review = commands.add_parser("review", help="the queue of borderline results; label them")
    actions = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="queued results, oldest first")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    show = actions.add_parser("show", help="one queued result: criteria, labels, the diff")
    show.add_argument("id", metavar="ID", help="an id, or a unique prefix of one")
    show.add_argument("--format", choices=("text", "json"), default="text")
    label = actions.add_parser("label", help="record your points on the rubric's scale")
    label.add_argument("id", metavar="ID")
    label.add_argument("points", nargs="+", metavar="NAME=POINTS")
    label.add_argument("--note", default="", metavar="TEXT", help="why, in a sentence")
    calibrate = commands.add_parser(
        "calibrate", help="agreement of the measured points with people's labels, per criterion"
    )
    calibrate.add_argument("--format", choices=("text", "json"), default="text")
    dataset = commands.add_parser("dataset", help="the labelled queue as training data")
    dataset_actions = dataset.add_subparsers(
        dest="dataset_command", metavar="ACTION", required=True
    )
    export = dataset_actions.add_parser("export", help="one JSON line per labelled item")
    export.add_argument("--format", choices=("jsonl", "chat"), default="jsonl")
    export.add_argument(
        "--include-unlabelled", action="store_true", help="add queued items without labels"
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    for parser in (listing, show, label, calibrate, export):
        parser.add_argument("--repo", default=".", metavar="PATH", help="the git repository")


def queue_of(repo: str | Path) -> tuple[Repository, ReviewQueue]:
    """The repository at ``repo`` and its review queue; ScoringError outside a repository."""
    found = asyncio.run(Repository.find(repo))
    return found, ReviewQueue(found.git_dir)


def run(args: argparse.Namespace) -> int:
    """Run `rubric review ACTION`, `rubric calibrate` or `rubric dataset export`."""
    name = args.command if args.command != "review" else f"review {args.review_command}"
    if args.command == "dataset":
        name = f"dataset {args.dataset_command}"
    try:
        repo, queue = queue_of(args.repo)
        if args.command == "calibrate":
            from rubric_lsp.commands.calibrate import run_calibrate

            return run_calibrate(queue, args.format)
        if args.command == "dataset":
            from rubric_lsp.commands.dataset import run_export

            return run_export(queue, args.format, args.include_unlabelled, args.output)
        if args.review_command == "list":
            return _list(queue, args.format)
        if args.review_command == "show":
            return _show(queue.get(args.id), args.format)
        return _label(repo, queue, args.id, args.points, args.note)
    except (ReviewError, ScoringError, OSError) as error:
        print_error(name, str(error))
        return 2


def _summary(item: ReviewItem) -> dict[str, object]:
    """One item as `rubric review list --format json` lists it."""
    return {
        "id": item.id,
        "queued": item.queued,
        "rubric": item.rubric,
        "base": item.base,
        "final_score": item.final_score,
        "verdict": item.verdict,
        "labels": len(item.labels),
        "labelled_by": sorted({label.who for label in item.labels}),
    }


def _list(queue: ReviewQueue, form: str) -> int:
    """Every queued item, oldest first."""
    items = queue.items()
    if form == "json":
        print(json.dumps([_summary(item) for item in items], indent=2))
        return 0
    if not items:
        print("the review queue is empty")
        return 0
    print(f"{'id':<12}  {'queued':<20}  {'weighted':>8}  {'verdict':<10}  labels  rubric")
    for item in items:
        final = "-" if item.final_score is None else number(item.final_score)
        count = len(item.labels)
        verdict = f"{item.verdict:<10}"
        print(f"{item.id}  {item.queued:<20}  {final:>8}  {verdict}  {count:>6}  {item.rubric}")
    return 0


def _show(item: ReviewItem, form: str) -> int:
    """One item: what was measured, who labelled it, the diff."""
    if form == "json":
        print(json.dumps(item.to_json(), indent=2, ensure_ascii=False))
        return 0
    final = "-" if item.final_score is None else number(item.final_score)
    base = (item.base or "(no commits yet)")[:12]
    print(f"review {item.id}: queued {item.queued}, rubric {item.rubric}, base {base}")
    print(f"weighted {final}, verdict {item.verdict}")
    low, high = item.scale
    print(f"criteria (points on {low:g}..{high:g}):")
    for name, data in item.criteria.items():
        points = data.get("points")
        shown = "-" if points is None else number(float(points))
        print(f"  {name:<16} {shown:>5}  {data.get('comment') or data.get('status', '')}")
    print(f"labels: {len(item.labels) or 'none yet'}")
    for label in item.labels:
        given = " ".join(f"{k}={number(v)}" for k, v in label.points.items())
        note = f'  "{label.note}"' if label.note else ""
        print(f"  {label.when}  {label.who} ({label.via}): {given}{note}")
    print()
    print(item.diff, end="" if item.diff.endswith("\n") else "\n")
    return 0


def _label(
    repo: Repository, queue: ReviewQueue, review_id: str, pairs: list[str], note: str
) -> int:
    """Validate the points like a score block and append them to the item's labels."""
    item = queue.get(review_id)
    points = points_from_pairs(item, pairs)
    person = asyncio.run(who(repo.root))
    labelled = queue.label(item.id, make_label(points, person, note))
    given = " ".join(f"{k}={number(v)}" for k, v in points.items())
    count = len(labelled.labels)
    print(f"labelled {item.id}: {given} by {labelled.labels[-1].who} ({count} label(s))")
    return 0
