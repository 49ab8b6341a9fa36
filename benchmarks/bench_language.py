"""Parse and validate generated rubrics of 10,000 and 20,000 lines; print timings.

Run: python benchmarks/bench_language.py [--runs N]
Target: 10,000 lines in under 150 ms, and 20,000 lines within 2.2x of 10,000.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from lark import Lark

from rubric_lsp.language.parser import grammar_text, lark_parser, parse, paused_gc
from rubric_lsp.language.validate import validate


def generate(lines: int, comment_tail: str = "") -> str:
    """A valid rubric of about ``lines`` lines using every block kind."""
    criteria = 12
    out = ["task {", '  title "benchmark"', '  objective "a large rubric"', "}", "reward_rubric {"]
    out += [f"  criterion c{i} weight={1 + i % 3}  # criterion {i}" for i in range(criteria)]
    out += ["}", "checks {", '  tests command="python -m pytest -q" timeout=300', "}"]
    round_ = 0
    while len(out) < lines - 10:
        kind = "score" if round_ % 2 == 0 else "rescore"
        out.append(f"{kind} {{")
        out += [
            f'  c{i} {(i + round_) % 6} "comment {round_}.{i}{comment_tail}"'
            for i in range(criteria)
        ]
        out.append("}")
        out.append("critique {")
        out += [f'  revise c{i} "do better {round_}"' for i in range(3)]
        out.append("}")
        round_ += 1
    out += ["accept_if {", "  total_gte 30", "  minimum c1 2", "  weighted_gte 0.5", "}"]
    out += ["review_if {", "  weighted_between 0.4 0.6", "}"]
    return "\n".join(out) + "\n"


def measure(text: str, runs: int) -> float:
    """Median milliseconds to parse and validate ``text``."""
    timings = []
    for _ in range(runs):
        gc.collect()  # start each run from the same heap, not the last run's garbage
        start = time.perf_counter()
        diagnostics = validate(parse(text))
        timings.append((time.perf_counter() - start) * 1000)
        assert not [d for d in diagnostics if d.severity == 1], diagnostics[:3]
    return statistics.median(timings)


def main() -> None:
    """Print lines per millisecond for both sizes and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    lark_parser()  # the grammar is compiled once per process; not part of a parse
    small, large = generate(10_000), generate(20_000)
    # Alternate sizes so machine noise hits both alike.
    small_ms, large_ms = [], []
    for _ in range(3):
        small_ms.append(measure(small, args.runs))
        large_ms.append(measure(large, args.runs))
    # For scale: lark alone building its own tree, no model and no validation.
    bare = Lark(grammar_text(), parser="lalr", lexer="contextual")
    bare_ms = []
    for _ in range(args.runs):
        with paused_gc():
            start = time.perf_counter()
            bare.parse(small)
            bare_ms.append((time.perf_counter() - start) * 1000)
    small_median, large_median = statistics.median(small_ms), statistics.median(large_ms)
    n_small, n_large = small.count("\n"), large.count("\n")
    for lines, median in ((n_small, small_median), (n_large, large_median)):
        print(f"{lines:>6} lines: {median:7.1f} ms  ({lines / median:.0f} lines/ms)")
    print("target: 10,000 lines in under 150 ms")
    print(f"ratio 20k/10k: {large_median / small_median:.2f}   target <= 2.2")
    print(
        f"for scale, lark alone (no model, no validation) on 10k lines: "
        f"{statistics.median(bare_ms):.1f} ms"
    )


if __name__ == "__main__":
    main()
