"""On-save scoring in the language server, against what CI runs today on the same diff.

Run: python benchmarks/bench_onsave.py [--runs 3] [--package jinja2] [--files 6]

Copies a pure-Python package into a temporary git repository, changes its largest
modules, starts `rubric-lsp` on it (pylint and bandit critics, untrusted: nothing of the
repository runs), and measures, medians over the runs:
  * `diff-quality --violations=pylint` followed by `bandit` on the changed files;
  * a save after editing the changed files again: didSave until the run's progress ends
    (the warm pylint worker and the base's cached results at work);
  * a save with no content change: didSave until the results are published;
  * 100 hover and 100 completion requests on the rubric while a scoring run is in flight.
Targets: edit re-score <= 0.1x the CI commands; unchanged re-save < 300 ms; hover and
completion p99 < 25 ms while scoring.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_lsp import report
from bench_scoring import _env, change, make_repo, timed
from lsprotocol import types
from pygls.lsp.client import LanguageClient

RUBRIC = """reward_rubric {
  criterion style weight=1 check=pylint
  criterion security weight=1 check=bandit
}
accept_if {
  weighted_gte 0.8
}
"""


class Editor:
    """A client that records when each scoring run's progress ends."""

    def __init__(self) -> None:
        self.client = LanguageClient("rubric-onsave-bench", "1")
        self.ends: list[float] = []
        self.ended = asyncio.Event()

        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @self.client.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
            if kind == "end":
                self.ends.append(time.perf_counter())
                self.ended.set()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            return None

    async def save(self, uri: str, timeout: float = 300.0) -> float:
        """Seconds from didSave until that run's progress ends."""
        count = len(self.ends)
        start = time.perf_counter()
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        deadline = start + timeout
        while len(self.ends) <= count:
            self.ended.clear()
            await asyncio.wait_for(self.ended.wait(), max(0.0, deadline - time.perf_counter()))
        return self.ends[count] - start


async def run(args: argparse.Namespace, root: Path) -> None:
    repo = make_repo(root / "repo", [args.package])
    files = change(repo, args.package, args.files)
    (repo / "bench.rubric").write_text(RUBRIC)
    print(f"diff: {len(files)} changed files of {args.package}")
    ci = [
        ["diff-quality", "--violations=pylint", "--compare-branch=HEAD"],
        [sys.executable, "-m", "bandit", "-q", "-f", "json", *files],
    ]
    editor = Editor()
    client = editor.client
    await client.start_io(sys.executable, "-m", "rubric_lsp.lsp")
    capabilities = types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True)
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=repo.as_uri(),
            initialization_options={"trusted": False},
        )
    )
    client.initialized(types.InitializedParams())
    rubric_uri = (repo / "bench.rubric").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=rubric_uri, language_id="rubric", version=1, text=RUBRIC
            )
        )
    )
    first = repo / files[0]
    cold = await editor.save(first.as_uri())
    print(f"  first save (cold worker, nothing cached)           {cold:6.2f} s")

    samples: dict[str, list[float]] = {"ci": [], "edited": [], "unchanged": []}
    originals = {name: (repo / name).read_text() for name in files}
    for run_index in range(args.runs):
        samples["ci"].append(sum(timed(command, repo) for command in ci))
        for name in files:
            (repo / name).write_text(originals[name] + f"\nEDITED_{run_index} = {run_index}\n")
        samples["edited"].append(await editor.save(first.as_uri()))
        samples["unchanged"].append(await editor.save(first.as_uri()))

    # Requests while a run is in flight: edit again so the run has real work to do.
    for name in files:
        (repo / name).write_text(originals[name] + "\nEDITED_AGAIN = 1\n")
    hovers: list[float] = []
    completions: list[float] = []
    document = types.TextDocumentIdentifier(uri=rubric_uri)
    count = len(editor.ends)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=first.as_uri())
        )
    )
    for index in range(100):
        position = types.Position(line=1 + index % 2, character=14)
        start = time.perf_counter()
        await client.text_document_hover_async(
            types.HoverParams(text_document=document, position=position)
        )
        hovers.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await client.text_document_completion_async(
            types.CompletionParams(text_document=document, position=types.Position(5, 2))
        )
        completions.append((time.perf_counter() - start) * 1000)
    overlapped = len(editor.ends) == count
    while len(editor.ends) == count:
        editor.ended.clear()
        await asyncio.wait_for(editor.ended.wait(), 300)

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    def show(label: str, key: str) -> None:
        values = ", ".join(f"{v:.2f}" for v in samples[key])
        print(f"  {label:<52} median {statistics.median(samples[key]):6.2f} s   [{values}]")

    show("diff-quality --violations=pylint + bandit", "ci")
    show("save after editing the changed files (server)", "edited")
    show("save with no content change (server)", "unchanged")
    ratio = statistics.median(samples["edited"]) / statistics.median(samples["ci"])
    print(f"edit re-score / CI commands: {ratio:.3f}   target <= 0.1")
    print(
        f"unchanged re-save: {statistics.median(samples['unchanged']) * 1000:.0f} ms   "
        "target < 300 ms"
    )
    print("requests on the rubric while scoring" + ("" if overlapped else " (run ended early)"))
    report("hover", hovers)
    report("completion", completions)
    print("target: p99 < 25 ms")


def main() -> None:
    """Build the repository, drive the server, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--package", default="jinja2")
    parser.add_argument("--files", type=int, default=6)
    args = parser.parse_args()
    if shutil.which("diff-quality", path=_env()["PATH"]) is None:
        raise SystemExit("diff-quality is not installed: pip install diff-cover")
    with tempfile.TemporaryDirectory(prefix="rubric-onsave-") as temp:
        asyncio.run(run(args, Path(temp)))


if __name__ == "__main__":
    main()
