"""The Ray engine on a real local cluster: the same lines as the local engine, nothing left."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.batch_patches import BROKEN, RUBRIC, STATIC, batch_file, comparable, leftovers, patches
from support.gitrepo import copy_repo, state, write
from support.processes import command_lines

# Ray is imported only by the processes under test: its threads stay out of pytest's.
if importlib.util.find_spec("ray") is None:
    pytest.skip("the ray extra is not installed", allow_module_level=True)

STATIC_ONLY = {"benchmark": False, "tests": False, "coverage": False}
pytestmark = pytest.mark.slow


def ray_processes() -> set[int]:
    """Pids of Ray's own processes (its raylet, GCS server and workers)."""
    return {
        pid
        for pid, argv in command_lines().items()
        if b"raylet" in argv or b"gcs_server" in argv or argv.startswith(b"ray::")
    }


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """Those of ``pids`` still running after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := pids & ray_processes()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


@pytest.fixture(scope="module")
def calc(base_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture whose root rubric is changed and not committed."""
    repo = copy_repo(base_repo, tmp_path_factory.mktemp("ray") / "calc")
    # Nodes get the repository as a bundle of commits: the driver sends this rubric along.
    write(repo, "calc.rubric", (repo / "calc.rubric").read_text().replace("weight=2", "weight=3"))
    return repo


@pytest.fixture(scope="module")
def items(calc: Path) -> list[dict[str, str]]:
    """Three real patches and one that does not apply."""
    found = [{"id": name, "patch": patch} for name, patch in list(patches(calc).items())[:3]]
    return [*found, {"id": "broken", "patch": BROKEN}]


@pytest.fixture(scope="module")
def local(
    calc: Path, items: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, object]]:
    """The local engine's lines by id, with advantages (from `rubric score --batch`)."""
    source = batch_file(tmp_path_factory.mktemp("local"), {i["id"]: i["patch"] for i in items})
    command = [RUBRIC, "score", "--repo", str(calc), "--batch", str(source), *STATIC]
    done = subprocess.run(
        [*command, "--group-advantages", "--workers", "2"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return {line["id"]: line for line in map(json.loads, done.stdout.splitlines())}


# The API on a cluster the caller started, in its own process: Ray's driver threads and
# CPython 3.11's per-interpreter AST counter (python/cpython#106905) must not meet pytest's.
API_ON_RAY = """
import json, sys
import ray
from rubric_lsp import score_batch
repo, items, enabled = json.loads(sys.stdin.read())
ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
try:
    results = score_batch(repo, items, engine="ray", enabled=enabled, group_advantages=True)
finally:
    ray.shutdown()
print(json.dumps([r.to_json(True) for r in results]))
"""


def test_ray_engine_gives_the_local_engines_results(
    calc: Path, items: list[dict[str, str]], local: dict[str, dict[str, object]]
) -> None:
    before, earlier = state(calc), ray_processes()
    done = subprocess.run(
        [sys.executable, "-c", API_ON_RAY],
        input=json.dumps([str(calc), items, STATIC_ONLY]),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    remote = json.loads(done.stdout.splitlines()[-1])
    assert [line["id"] for line in remote] == [item["id"] for item in items]
    for line in remote:
        # The API names the rubric by its absolute path, the command relative to the root.
        if "rubric" in line:
            assert line["rubric"] == str(calc / "calc.rubric")
            line["rubric"], line["rubric_origin"] = (
                "calc.rubric",
                local[line["id"]]["rubric_origin"],
            )
        assert comparable(line) == comparable(local[line["id"]])
        assert line["advantage"] == local[line["id"]]["advantage"]
    assert "does not apply" in str(remote[-1]["error"])
    assert len({line.get("final_score") for line in remote}) >= 3
    assert state(calc) == before
    assert gone_within(ray_processes() - earlier, 30) == set()


def test_cli_ray_engine_starts_and_ends_its_own_cluster(
    calc: Path, items: list[dict[str, str]], local: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    source = batch_file(tmp_path, {item["id"]: item["patch"] for item in items})
    earlier = ray_processes()
    command = [RUBRIC, "score", "--repo", str(calc), "--batch", str(source), *STATIC]
    with subprocess.Popen(
        [*command, "--engine", "ray", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as batch:
        stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    lines = {line["id"]: comparable(line) for line in map(json.loads, stdout.splitlines())}
    assert lines == {name: comparable(line) for name, line in local.items()}
    assert leftovers(calc, batch.pid) == []
    assert gone_within(ray_processes() - earlier, 30) == set()
