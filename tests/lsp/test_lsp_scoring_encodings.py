"""A scoring run's columns reach each client in the units that client counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from support.app_package import CORE, make_repo
from support.gitrepo import git
from support.lsp_client import (
    SERVER,
    edit_and_save,
    line_of,
    make_client,
    only_diagnostic,
    open_file,
    wait_until,
)

# VS Code counts UTF-16 code units; Neovim 0.11 offers UTF-8 first, and the server takes it.
CLIENTS = {"visual-studio-code": "utf-16", "neovim@v0.11.0": "utf-8"}

# ö, ß and ü are one UTF-16 unit and two UTF-8 bytes each: columns after them differ.
WIDE = "größe_ü"

RISKY = (
    CORE
    + f'''

def run_line(line: str) -> str:
    """Run a command line through the shell."""
    {WIDE} = subprocess.run(line, shell=True, capture_output=True, text=True, check=True)
    return {WIDE}.stdout
'''
)

# No newline at the end: a block inserted at the end lands after the last line's text.
RUBRIC = f"""task {{ title "{WIDE}" }} reward_rubric {{ criterion security weight=3
  criterion correctness weight=3
  criterion style weight=2
}}
score {{ security 5 "no shell commands" }}
accept_if {{ weighted_gte 0.8 }} # {WIDE}"""


def client_column(line: str, character: int, encoding: str) -> int:
    """What a client using ``encoding`` counts for a code-point column."""
    codec = "utf-16-le" if encoding == "utf-16" else "utf-8"
    width = 2 if encoding == "utf-16" else 1
    return len(line[:character].encode(codec)) // width


@pytest_asyncio.fixture
async def repo(tmp_path: Path) -> Path:
    """The scoring test repository with a rubric that has non-ASCII text on its lines."""
    repo = make_repo(tmp_path)
    (repo / "project.rubric").write_text(RUBRIC)
    git(repo, "commit", "-qam", "wide")
    return repo


@pytest_asyncio.fixture(params=sorted(CLIENTS))
async def session(
    request: pytest.FixtureRequest, repo: Path
) -> AsyncIterator[tuple[LanguageClient, str]]:
    """A server initialized by one kind of client; yields it and the encoding it counts in."""
    client = make_client()
    await client.start_io(*SERVER, cwd=str(repo))
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=repo.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="project")],
            initialization_options={"diagnosticDelay": 0},
        )
    )
    encoding = CLIENTS[request.param]
    # The server takes what the client offers first; without an offer, LSP's UTF-16.
    assert (result.capabilities.position_encoding or "utf-16") == encoding
    yield client, encoding
    await client.shutdown_session()
    await client.stop()


@pytest.mark.asyncio
async def test_columns_after_non_ascii_text_are_the_clients(
    session: tuple[LanguageClient, str], repo: Path
) -> None:
    client, encoding = session
    core, rubric = repo / "app" / "core.py", repo / "project.rubric"
    rubric_uri = open_file(client, rubric, "rubric")
    core_uri = open_file(client, core, "python")
    edit_and_save(client, core, RISKY, 2)

    # The finding: bandit's call starts after `größe_ü = ` on its line.
    finding = await only_diagnostic(client, core_uri, "security/B602")
    risky = RISKY.split("\n")[line_of(RISKY, "shell=True")]
    assert finding.range.start == types.Position(
        line_of(RISKY, "shell=True"), client_column(risky, risky.index("subprocess"), encoding)
    )

    # The rubric: the weak criterion's name and its inlay hint come after `title "größe_ü"`.
    await wait_until(
        lambda: any(d.code == "below-threshold" for d in client.diagnostics.get(rubric_uri, []))
    )
    first = RUBRIC.split("\n")[0]
    (weak,) = [
        d
        for d in client.diagnostics[rubric_uri]
        if d.code == "below-threshold" and d.message.startswith("security")
    ]
    assert weak.range.start == types.Position(
        0, client_column(first, first.index("security"), encoding)
    )
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            range=types.Range(types.Position(0, 0), types.Position(10, 0)),
        )
    )
    assert hints is not None
    (security,) = [h for h in hints if h.position.line == 0]
    assert security.position.character == client_column(first, len(first), encoding)

    # Inserting the measured score block: at the end of the last line, after `# größe_ü`.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=rubric_uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor]),
        )
    )
    assert actions is not None
    (insert,) = [
        a
        for a in actions
        if isinstance(a, types.CodeAction) and a.title == "Insert the measured score block"
    ]
    assert insert.edit is not None and insert.edit.changes is not None
    (edit,) = insert.edit.changes[rubric_uri]
    last = RUBRIC.split("\n")[-1]
    end = types.Position(RUBRIC.count("\n"), client_column(last, len(last), encoding))
    assert edit.range == types.Range(end, end)
