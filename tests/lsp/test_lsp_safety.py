"""The server keeps scoring's promises: no program of an untrusted repository runs, and at
start-up it removes exactly what killed runs left."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.gitrepo import edit, git, init_repo
from support.hostile_git import hostile, ran
from support.lsp_client import (
    SERVER,
    edit_and_save,
    make_client,
    open_file,
    progress_ends,
    wait_until,
)

from rubric_lsp.scoring.reaper import OWNER_FILE, owner_record

CLIENTS = ("visual-studio-code", "neovim@v0.11.0")


async def started(client: LanguageClient, repo: Path, kind: str, env: dict[str, str]) -> None:
    """Start the server in ``repo`` and initialize it as ``kind`` of client, untrusted."""
    await client.start_io(*SERVER, cwd=str(repo), env=env)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(kind),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="project")],
            initialization_options={"diagnosticDelay": 0, "useCache": False},
        )
    )


@pytest_asyncio.fixture(params=CLIENTS)
async def client(request: pytest.FixtureRequest) -> AsyncIterator[LanguageClient]:
    """A client with the capabilities of one editor; the server is stopped afterwards."""
    client = make_client()
    client.kind = request.param  # type: ignore[attr-defined]
    yield client
    await client.shutdown_session()
    await client.stop()


@pytest.mark.asyncio
async def test_an_untrusted_save_runs_no_program_of_the_repository(
    client: LanguageClient, tmp_path: Path
) -> None:
    repo, marker = hostile(tmp_path)
    await started(client, repo, client.kind, dict(os.environ))  # type: ignore[attr-defined]
    core = repo / "calc" / "core.py"
    open_file(client, core, "python")
    edit_and_save(client, core, core.read_text() + "\n\nLIMIT = 10\n", 2)
    await wait_until(lambda: bool(progress_ends(client)), 120)
    (message,) = progress_ends(client)
    # The run finished with a verdict (not "failed" or "not scored"): it did read the change.
    assert " · weighted " in message, message
    assert ran(marker) == set()


def dead_record() -> str:
    """An owner file's content naming a process that has ended."""
    record = json.loads(owner_record())
    child = subprocess.Popen(["true"])
    child.wait()
    return json.dumps({**record, "pid": child.pid, "start": "1"})


@pytest.mark.asyncio
async def test_start_up_removes_only_what_killed_runs_left(
    client: LanguageClient, tmp_path: Path
) -> None:
    repo = init_repo(tmp_path / "calc")
    temp = tmp_path / "tmp"
    temp.mkdir()
    # A user's worktree whose folder is away (an unmounted disk): never rubric's to remove.
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "side")
    edit(tmp_path / "wt", "calc/core.py", "    result = 0\n", "    result = 0  # staged\n")
    git(tmp_path / "wt", "add", "calc/core.py")
    (tmp_path / "wt").rename(tmp_path / "wt-unmounted")
    # A killed run's checkout: its folder and its registration, both naming a dead owner.
    dead = temp / "rubric-snapshot-dead"
    dead.mkdir()
    (dead / OWNER_FILE).write_text(dead_record())
    git(repo, "worktree", "add", "-q", "--detach", str(dead / dead.name), "HEAD")
    (repo / ".git" / "worktrees" / dead.name / OWNER_FILE).write_text(dead_record())
    (temp / "rubric-score-dead").mkdir()
    (temp / "rubric-score-dead" / OWNER_FILE).write_text(dead_record())
    # What must stay: a live run's folder, a folder without an owner file, anyone else's.
    kept = {"rubric-score-live", "rubric-score-unowned", "other"}
    for name in kept:
        (temp / name).mkdir()
    (temp / "rubric-score-live" / OWNER_FILE).write_text(owner_record())
    user_admin = repo / ".git" / "worktrees" / "wt"
    registered = {p.name: p.read_bytes() for p in user_admin.iterdir() if p.is_file()}

    await started(client, repo, client.kind, {**os.environ, "TMPDIR": str(temp)})  # type: ignore[attr-defined]
    await wait_until(lambda: set(os.listdir(temp)) == kept, 30)
    assert sorted(p.name for p in (repo / ".git" / "worktrees").iterdir()) == ["wt"]
    assert {p.name: p.read_bytes() for p in user_admin.iterdir() if p.is_file()} == registered
