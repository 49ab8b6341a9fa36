"""A repository whose .git/config and hooks plant programs that record it when they run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.gitrepo import edit, git, init_repo, write

MARK = """#!/bin/sh
echo {name} >> {marker}
{then}
"""


def marking(tmp_path: Path) -> tuple[Path, Callable[..., str]]:
    """A marker file, and a function giving a program that records one name in it.

    ``copy``: the program then copies its input to its output, a filter that works.
    """
    marker = tmp_path / "ran"

    def command(name: str, copy: bool = False) -> str:
        # A program path, not a shell line: git runs core.askPass without a shell.
        script = tmp_path / f"mark-{name}.sh"
        script.write_text(MARK.format(name=name, marker=marker, then="exec cat" if copy else ""))
        script.chmod(0o755)
        return str(script)

    return marker, command


def ran(marker: Path) -> set[str]:
    """The names of the planted programs that ran."""
    return set(marker.read_text().split()) if marker.exists() else set()


def configure(repo: Path, settings: dict[str, str]) -> None:
    for key, value in settings.items():
        git(repo, "config", key, value)


def hostile(tmp_path: Path, working_filters: bool = False) -> tuple[Path, Path]:
    """The fixture package whose .git/config plants every program, and a change to it.

    ``working_filters``: the filters copy their input (the user's own, trusted filters);
    else a process filter that speaks no protocol is planted too.
    """
    marker, command = marking(tmp_path)
    repo = init_repo(tmp_path / "calc")
    write(repo, "README.md", "calc\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "readme")
    configure(
        repo,
        {
            "core.fsmonitor": command("fsmonitor"),
            "core.hooksPath": str(tmp_path / "hooks"),
            "diff.external": command("external-diff"),
            "diff.conv.textconv": command("textconv"),
            "diff.cmd.command": command("diff-command"),
            "filter.f.clean": command("clean", copy=True),
            "filter.f.smudge": command("smudge", copy=True),
            "filter.p.process": command("process") if not working_filters else "",
            "core.pager": command("pager"),
            "core.sshCommand": command("ssh-command"),
            "core.askPass": command("askpass"),
            "credential.helper": command("credential-helper"),
            "remote.origin.url": "ssh://h.invalid/r",
            "remote.origin.uploadpack": command("uploadpack"),
            "remote.origin.receivepack": command("receivepack"),
        },
    )
    (tmp_path / "hooks").mkdir()
    for hooks in (tmp_path / "hooks", repo / ".git" / "hooks"):
        for name in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
            hook = hooks / name
            hook.write_text(f"#!/bin/sh\n{command('hook')}\n")
            hook.chmod(0o755)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text(
        "*.py filter=f diff=conv\n*.md filter=p diff=cmd\n"
    )
    edit(repo, "calc/core.py", "    result = 0\n", "    result = 0\n    count = len(values)\n")
    write(repo, "README.md", "calc, a calculator\n")
    return repo, marker
