"""No git setting in a repository's configuration makes scoring run a program.

Each setting points at a script that records its name in a marker file outside the
repository: first plain git proves that the setting does run it, then rubric's git (and
`rubric score` itself) must leave the marker unwritten.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.benchmarks import benchmark_ran_json
from support.gitrepo import init_repo, write
from support.hostile_git import configure, hostile, marking, ran

from rubric_lsp.scoring.safegit import configured_filters, filter_names, git_argv, git_env


def small_repo(path: Path) -> Path:
    """A committed repository with a Python file, then a change to it."""
    repo = init_repo(path, {"a.py": "x = 1\n", "notes.md": "notes\n"})
    write(repo, "a.py", "x = 2\n")
    write(repo, "notes.md", "more notes\n")
    return repo


def run_git(argv: list[str], repo: Path, stdin: bytes = b"", tty: bool = False) -> None:
    """Run a git argv to completion, output discarded (a pseudo-terminal for the pager)."""
    env = git_env() if argv[:2] == ["git", "--no-pager"] else dict(os.environ)
    if not tty:
        subprocess.run(argv, cwd=repo, env=env, input=stdin, capture_output=True, timeout=60)
        return
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            argv, cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=follower, timeout=60
        )
    finally:
        os.close(follower)
        os.close(leader)


Settings = Callable[[Callable[[str], str]], dict[str, str]]
Case = tuple[str, Settings, str, list[str], bytes]

# (name, settings given the marking command, setup: hooks, attributes or "tty", git args, stdin)
CASES: list[Case] = [
    ("fsmonitor", lambda m: {"core.fsmonitor": m("fsmonitor")}, "", ["status"], b""),
    (
        "hooks",
        lambda m: {"core.hooksPath": "hooks"},
        "hooks",
        ["worktree", "add", "--detach", "{tmp}/wt", "HEAD"],
        b"",
    ),
    ("external-diff", lambda m: {"diff.external": m("external-diff")}, "", ["diff"], b""),
    (
        "textconv",
        lambda m: {"diff.conv.textconv": m("textconv")},
        "*.py diff=conv",
        ["diff"],
        b"",
    ),
    (
        "diff-command",
        lambda m: {"diff.cmd.command": m("diff-command")},
        "*.py diff=cmd",
        ["diff"],
        b"",
    ),
    ("clean", lambda m: {"filter.f.clean": m("clean")}, "*.py filter=f", ["diff"], b""),
    (
        "smudge",
        lambda m: {"filter.f.smudge": m("smudge")},
        "*.py filter=f",
        ["worktree", "add", "--detach", "{tmp}/wt", "HEAD"],
        b"",
    ),
    (
        "process",
        lambda m: {"filter.odd.name.process": m("process")},
        "*.py filter=odd.name",
        ["diff"],
        b"",
    ),
    ("pager", lambda m: {"core.pager": m("pager")}, "tty", ["log", "-1"], b""),
    (
        "ssh-command",
        lambda m: {"core.sshCommand": m("ssh-command"), "remote.ssh.url": "ssh://h.invalid/r"},
        "",
        ["fetch", "ssh"],
        b"",
    ),
    (
        "credential-helper",
        lambda m: {"credential.helper": m("credential-helper")},
        "",
        ["credential", "fill"],
        b"protocol=https\nhost=h.invalid\n\n",
    ),
    (
        "askpass",
        lambda m: {"core.askPass": m("askpass")},
        "",
        ["credential", "fill"],
        b"protocol=https\nhost=h.invalid\n\n",
    ),
    (
        "uploadpack",
        lambda m: {"remote.o.uploadpack": m("uploadpack"), "remote.o.url": "{remote}"},
        "",
        ["fetch", "o"],
        b"",
    ),
    (
        "receivepack",
        lambda m: {"remote.o.receivepack": m("receivepack"), "remote.o.url": "{remote}"},
        "",
        ["push", "o", "HEAD:refs/heads/pushed"],
        b"",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_setting_runs_with_plain_git_and_never_with_rubrics(
    tmp_path: Path, case: Case
) -> None:
    name, settings, setup, args, stdin = case
    for attempt in ("plain", "rubric"):
        root = tmp_path / attempt
        root.mkdir()
        marker, command = marking(root)
        repo = small_repo(root / "repo")
        remote = str(init_repo(root / "other", {"b.txt": "b\n"}))
        planted = {k: v.replace("{remote}", remote) for k, v in settings(command).items()}
        configure(repo, planted)
        if setup == "hooks":
            (repo / "hooks").mkdir()
            for hooks in (repo / "hooks", repo / ".git" / "hooks"):
                hook = hooks / "post-checkout"
                hook.write_text(f"#!/bin/sh\n{command(name)}\n")
                hook.chmod(0o755)
        elif setup and setup != "tty":
            (repo / ".git" / "info").mkdir(exist_ok=True)
            (repo / ".git" / "info" / "attributes").write_text(setup + "\n")
        argv_args = [arg.replace("{tmp}", str(root)) for arg in args]
        if attempt == "plain":
            argv = ["git", *argv_args]
        else:
            argv = git_argv(argv_args, configured_filters(repo))
        run_git(argv, repo, stdin, tty=setup == "tty")
        if attempt == "plain":
            assert name in ran(marker), f"plain git did not run {name}: the probe is broken"
        else:
            assert ran(marker) == set()


def test_filter_names_keep_dots_and_case() -> None:
    keys = ["filter.lfs.clean", "filter.My.Odd.process", "filter.lfs.required", "diff.x.textconv"]
    assert filter_names(keys) == ["lfs", "My.Odd"]


def test_diffs_never_use_external_programs() -> None:
    argv = git_argv(["diff", "HEAD"])
    assert argv.index("--no-ext-diff") > argv.index("diff")
    assert "--no-textconv" in argv


# --- `rubric score` end to end -------------------------------------------------------------

PROGRAMS = ("fsmonitor", "hook", "external-diff", "textconv", "diff-command")


def score_cli(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rubric_lsp.cli", "score", "--repo", str(repo), "--no-cache", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def patch_of(repo: Path) -> str:
    """The change as a patch, and the tree put back to the base."""
    neutral = configured_filters(repo)
    patch = subprocess.run(
        git_argv(["diff"], neutral), cwd=repo, env=git_env(), capture_output=True, check=True
    ).stdout
    subprocess.run(git_argv(["checkout", "-q", "--", "."], neutral), cwd=repo, env=git_env())
    return patch.decode()


def scored(done: subprocess.CompletedProcess[str]) -> bool:
    """Whether the run printed a report: accepted, rejected, or undecided (untrusted: no tests)."""
    if done.returncode in (0, 1):
        return True
    # An untrusted run skips the tests, so a rule over correctness is undecided: exit 2.
    return done.returncode == 2 and json.loads(done.stdout).get("verdict") == "undecided"


def test_untrusted_score_runs_no_program_of_the_repository(tmp_path: Path) -> None:
    repo, marker = hostile(tmp_path)
    done = score_cli(repo, "--untrusted", "--format", "json")
    assert scored(done), done.stderr
    assert '"calc/core.py"' in done.stdout
    assert ran(marker) == set()


def test_untrusted_patch_runs_no_program_of_the_repository(tmp_path: Path) -> None:
    repo, marker = hostile(tmp_path)
    patch = patch_of(repo)
    done = score_cli(repo, "--untrusted", "--patch", "-", "--format", "json", stdin=patch)
    assert scored(done), done.stderr
    assert '"README.md"' in done.stdout
    assert ran(marker) == set()


@pytest.mark.slow
def test_trusted_score_runs_only_the_filters_of_the_users_tree(tmp_path: Path) -> None:
    repo, marker = hostile(tmp_path, working_filters=True)
    # The benchmark checks the base out in rubric's own worktree: no hook, no smudge there.
    done = score_cli(repo, "--only", "benchmark", "--only", "pylint", "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    assert benchmark_ran_json(json.loads(done.stdout)["criteria"]["performance"]), done.stdout
    # Diffing the user's own tree may clean files through the user's filters, nothing else.
    assert ran(marker) <= {"clean"}
    marker.unlink(missing_ok=True)
    patch = patch_of(repo)
    done = score_cli(repo, "--patch", "-", "--only", "pylint", stdin=patch)
    assert done.returncode in (0, 1), done.stderr
    assert ran(marker) == set()
