"""The result cache shared by concurrent runs: once an entry exists, readers always get it whole."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from rubric_lsp.scoring.cache import Cache, key

DIGEST = key("same change", "same rubric")
WRITES = 200


def _write(folder: str, writer: int, writes: int = WRITES) -> None:
    cache = Cache(Path(folder))
    for round_ in range(writes):
        # Large enough that a torn write would be caught half-way by a reader.
        cache.put("runs", DIGEST, {"writer": writer, "round": round_, "pad": "x" * 50_000})


def _read(folder: str, seen: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    cache = Cache(Path(folder))
    whole = missed = 0
    for _ in range(WRITES * 2):
        value = cache.get("runs", DIGEST)
        # A half-written file reads as a miss: with writes in place, readers would see misses.
        if isinstance(value, dict) and len(value.get("pad", "")) == 50_000:
            whole += 1
        else:
            missed += 1
    seen.put((whole, missed))


def test_concurrent_writers_and_readers_of_one_key_never_see_a_torn_entry(tmp_path: Path) -> None:
    _write(str(tmp_path), -1, writes=1)
    context = multiprocessing.get_context("spawn")
    seen = context.Queue()
    writers = [context.Process(target=_write, args=(str(tmp_path), n)) for n in range(3)]
    readers = [context.Process(target=_read, args=(str(tmp_path), seen)) for _ in range(2)]
    for process in writers + readers:
        process.start()
    for process in writers + readers:
        process.join(timeout=120)
        assert process.exitcode == 0
    counts = [seen.get(timeout=5) for _ in readers]
    assert all(missed == 0 for _, missed in counts), counts
    final = Cache(tmp_path).get("runs", DIGEST)
    assert final["round"] == WRITES - 1 and final["writer"] in (0, 1, 2)
    # No temporary file of any writer is left behind.
    assert sorted(path.name for path in (tmp_path / "runs").iterdir()) == [f"{DIGEST}.json"]
