"""Every git command rubric runs, built so that no configuration can make git run a command.

A repository's ``.git/config`` arrives with any archive or shared disk, so it is not trusted:
settings naming a program are pinned with ``-c`` (which outranks every configuration file),
the system configuration is not read, diffs never use external drivers or textconv, and
filter drivers are emptied unless a trusted run diffs the user's own working tree.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence

# Settings that name a program git may run, and values that run none. docs/scoring.md lists
# them under "What scoring never does"; tests/scoring/test_safety_git.py plants each one.
PINNED: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.editor", "false"),
    ("sequence.editor", "false"),
    ("core.sshCommand", ""),
    ("core.gitProxy", ""),
    ("core.askPass", ""),
    ("core.alternateRefsCommand", ""),
    # An empty value clears the list of helpers that the configuration built up.
    ("credential.helper", ""),
    # No transport at all: remote.*.uploadpack and remote.*.receivepack name programs that
    # a fetch or push would start (ext:: and local remotes too). Scoring never needs one.
    ("protocol.allow", "never"),
    ("uploadpack.packObjectsHook", ""),
    ("submodule.recurse", "false"),
    ("log.showSignature", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("core.quotepath", "off"),
)

# Flags that keep diff-like commands from running diff.external, diff.<driver>.command and
# diff.<driver>.textconv.
NO_DIFF_PROGRAMS = ("--no-ext-diff", "--no-textconv")
DIFF_COMMANDS = frozenset({"diff", "show", "log", "format-patch", "diff-tree", "diff-index"})

# Filter keys that hold a command, emptied for every driver the configuration defines.
FILTER_COMMANDS = ("clean", "smudge", "process")

# Commands that never read a file's content through a filter, so need no filter listing.
_NO_FILTERS = frozenset({"rev-parse", "merge-base", "cat-file", "config", "ls-files", "worktree"})
_FILTERING_WORKTREE = frozenset({"add", "move", "repair"})

# Variables of the caller's environment that name a program git would run.
_PROGRAM_VARIABLES = (
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_PROXY_COMMAND",
)


def git_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git process: no system configuration, prompts or programs."""
    env = dict(os.environ if base is None else base)
    for name in (*_PROGRAM_VARIABLES, "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_ATTR_NOSYSTEM"] = "1"
    env["GIT_TERMINAL_PROMPT"] = "0"
    # Reading must not refresh the user's index (an optional lock and write).
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def needs_filter_list(args: Sequence[str]) -> bool:
    """Whether a command may pass file content through a filter driver."""
    if not args:
        return False
    if args[0] == "worktree":
        return len(args) > 1 and args[1] in _FILTERING_WORKTREE
    return args[0] not in _NO_FILTERS


def filter_names(config_keys: Iterable[str]) -> list[str]:
    """Driver names from ``filter.<name>.<key>`` configuration keys (names may hold dots)."""
    names: list[str] = []
    for key in config_keys:
        if not key.startswith("filter."):
            continue
        name, _, _ = key[len("filter.") :].rpartition(".")
        if name and name not in names:
            names.append(name)
    return names


def git_argv(args: Sequence[str], neutral_filters: Iterable[str] = ()) -> list[str]:
    """git's argv for ``args``, with every program-running setting pinned."""
    argv = ["git", "--no-pager"]
    for key, value in PINNED:
        argv += ["-c", f"{key}={value}"]
    for name in neutral_filters:
        for key in FILTER_COMMANDS:
            argv += ["-c", f"filter.{name}.{key}="]
        # A required filter that runs nothing would make git fail instead of copying.
        argv += ["-c", f"filter.{name}.required=false"]
    argv += list(args[:1])
    if args and args[0] in DIFF_COMMANDS:
        argv += NO_DIFF_PROGRAMS
    argv += list(args[1:])
    return argv


def list_filters_argv() -> list[str]:
    """The command that lists every filter key of the configuration (includes followed)."""
    return git_argv(["config", "--null", "--name-only", "--get-regexp", r"^filter\."])


def parse_config_names(stdout: bytes) -> list[str]:
    """Keys of ``git config --null --name-only`` output."""
    return [k for k in stdout.decode("utf-8", errors="surrogateescape").split("\0") if k]


def configured_filters(cwd: str | os.PathLike[str]) -> list[str]:
    """Every filter driver the configuration of the repository at ``cwd`` defines."""
    listed = subprocess.run(
        list_filters_argv(), cwd=cwd, env=git_env(), capture_output=True, check=False
    )
    return filter_names(parse_config_names(listed.stdout))


def run_git_sync(
    cwd: str | os.PathLike[str], args: Sequence[str]
) -> subprocess.CompletedProcess[bytes]:
    """A git command run to completion synchronously (clean-up that cancellation must not skip)."""
    neutral = configured_filters(cwd) if needs_filter_list(args) else []
    return subprocess.run(
        git_argv(args, neutral),
        cwd=cwd,
        env=git_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
