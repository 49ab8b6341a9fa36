"""Check generated pathological rubrics of 10 KB and 100 KB; print the times and their ratio.

Run: python benchmarks/bench_parse.py [--runs N] [--sizes 10000,100000]
Target: for every input, time(100 KB) / time(10 KB) near 10 (linear; under 20), and no
100 KB input over 1 s. "Checking" is what `rubric check` and the server do with a text:
parse, validate, lex every token's role (highlighting) and format.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.mutations import SOUP, mutate

from rubric_lsp.language import context
from rubric_lsp.language.format import format_document
from rubric_lsp.language.parser import lark_parser, parse
from rubric_lsp.language.validate import validate

SEED = (Path(__file__).resolve().parent.parent / "rubric-lsp.rubric").read_text()


def _repeat(unit: Callable[[int], str], size: int) -> str:
    """Units numbered 0, 1, ... until ``size`` characters, cut there."""
    out: list[str] = []
    total = 0
    number = 0
    while total < size:
        piece = unit(number)
        out.append(piece)
        total += len(piece)
        number += 1
    return "".join(out)[:size]


def _criteria_and_rules(size: int, rule: Callable[[int], str]) -> str:
    """A rubric defining many criteria whose accept_if has as many broken rules."""
    half = size // 2
    criteria = _repeat(lambda i: f"  criterion crit{i} weight=1\n", half)
    criteria = criteria[: criteria.rfind("\n") + 1]
    rules = _repeat(rule, size - len(criteria) - 40)
    return f"reward_rubric {{\n{criteria}}}\naccept_if {{\n{rules}\n}}\n"


def _soup(size: int) -> str:
    rng = random.Random(size)
    return _repeat(lambda _: rng.choice(SOUP) + " ", size)


def _mutated(size: int) -> str:
    rng = random.Random(size)
    return _repeat(lambda _: mutate(SEED, rng), size)


PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "strings over two lines in accept_if": lambda n: _criteria_and_rules(
        n, lambda i: f'  minimum "c{i}\n  x" 3\n'
    ),
    "undefined criteria in accept_if": lambda n: _criteria_and_rules(
        n, lambda i: f"  minimum zq{i}x 3\n"
    ),
    "unknown rules": lambda n: _criteria_and_rules(n, lambda i: f"  minimal{i} crit{i} 3\n"),
    "unterminated strings": lambda n: _repeat(lambda i: f'task {{ title "open {i}\n', n),
    "one unterminated string per line": lambda n: "task {\n" + _repeat(lambda i: '"\n', n),
    "strings on one long line": lambda n: "accept_if { minimum " + _repeat(lambda i: '"a" ', n),
    "deep nesting": lambda n: _repeat(lambda i: "a { ", n // 2) + "} " * (n // 4),
    "many opening braces": lambda n: "accept_if " + "{ " * (n // 2),
    "many closing braces": lambda n: "accept_if {} " + "}" * n,
    "long line of names": lambda n: "accept_if { " + _repeat(lambda i: f"n{i} ", n),
    "long line of numbers": lambda n: "accept_if { " + _repeat(lambda i: f"{i} ", n),
    "long name": lambda n: "reward_rubric { criterio " + "x" * n + " }",
    "many blocks": lambda n: _repeat(lambda i: f"score {{ crit{i} 3 }}\n", n),
    "one big block": lambda n: "score {\n" + _repeat(lambda i: f'  c{i} 3 "why"\n', n) + "}\n",
    "language soup": _soup,
    "mutated rubrics": _mutated,
}


def check(text: str) -> None:
    """What the CLI and the server do with a text."""
    document = parse(text)
    validate(document)
    context.tokens(text)
    format_document(document)


def best_time(text: str, runs: int) -> float:
    """The fastest of ``runs`` checks of ``text``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        check(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print each input's times and the ratio of the largest size to the smallest."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    lark_parser()
    print(f"{'input':40}" + "".join(f"{size // 1000:>8} KB" for size in sizes) + "   ratio")
    worst = 0.0
    for name, generate in PATHOLOGICAL.items():
        times = [best_time(generate(size), args.runs) for size in sizes]
        ratio = times[-1] / max(times[0], 1e-3)
        worst = max(worst, ratio)
        print(f"{name:40}" + "".join(f"{t * 1000:8.1f} ms" for t in times) + f"  {ratio:6.1f}")
    print(f"worst ratio {worst:.1f} (target: under 20; linear is {sizes[-1] / sizes[0]:.0f})")


if __name__ == "__main__":
    main()
