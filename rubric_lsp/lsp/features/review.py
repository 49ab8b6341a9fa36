"""People in the loop from the editor: open a queued result as a rubric, save it to label it.

``rubric.review`` (also a code action on a rubric whose last result was queued) writes the
item as a rubric document, the queued rubric followed by a ``score`` block pre-filled with
the measured points, to ``<git dir>/rubric-review/open/ID.rubric``: a real file, so every
client opens and saves it as any rubric (completion, hover and validation included), and it
never lands in the working tree. Saving it records the last score block as a label.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from lsprotocol import types

from rubric_lsp.language.gate import Agreement
from rubric_lsp.lsp.feature import Feature, FeatureSet, asks_for, command
from rubric_lsp.lsp.features.scoring import ScoringFeature
from rubric_lsp.lsp.scoring_runs import uri_path, workspace_root
from rubric_lsp.lsp.server import RubricLanguageServer
from rubric_lsp.scoring.gitrepo import Repository
from rubric_lsp.scoring.proc import ScoringError
from rubric_lsp.scoring.result import number
from rubric_lsp.scoring.review.labels import (
    item_id_of,
    make_label,
    points_from_document,
    review_document,
    who,
)
from rubric_lsp.scoring.review.queue import FOLDER, ReviewError, ReviewQueue

REVIEW_COMMAND = "rubric.review"
# Review documents live beside the queue's items, in the common git dir.
OPEN_FOLDER = "open"


def review_path(git_dir: Path, review_id: str) -> Path:
    """Where the review document of an item is written."""
    return git_dir / FOLDER / OPEN_FOLDER / f"{review_id}.rubric"


def git_dir_of(path: Path) -> Path | None:
    """The git dir a review document belongs to; None for any other file."""
    folder = path.parent
    if folder.name == OPEN_FOLDER and folder.parent.name == FOLDER and path.suffix == ".rubric":
        return folder.parent.parent
    return None


def _write(path: Path, text: str) -> None:
    """Write a file whole: a temporary file beside it, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".review-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ReviewFeature(Feature):
    """Open queued results as rubric documents; a save of one records the person's label."""

    code_action_kinds = (types.CodeActionKind.Refactor,)

    def __init__(self, server: RubricLanguageServer, features: FeatureSet) -> None:
        super().__init__(server, features)
        # Saves being recorded: kept so the tasks are not collected before they end.
        self.recording: set[asyncio.Task[None]] = set()
        # The workspace's common git dir, found once the client is ready.
        self.git_dir: Path | None = None
        # Hover figures by criterion, computed off the event loop for the queue as it was
        # when its folder had this modification time.
        self.figures: dict[str, Agreement] = {}
        self.figures_stamp: int | None = None
        self.refreshing: asyncio.Task[None] | None = None

    async def initialized(self, params: types.InitializedParams) -> None:
        root = workspace_root(self.server)
        if root is not None:
            with contextlib.suppress(ScoringError, OSError):
                self.git_dir = (await Repository.find(root)).git_dir
        self._refresh_when_changed()

    def _queue_stamp(self) -> int | None:
        """The modification time of the queue's items folder; None without a queue."""
        if self.git_dir is None:
            return None
        try:
            return ReviewQueue(self.git_dir).items_folder.stat().st_mtime_ns
        except OSError:
            return None

    def _refresh_when_changed(self) -> None:
        """Recompute the figures in the background when the queue changed since they were."""
        stamp = self._queue_stamp()
        if stamp is None or stamp == self.figures_stamp:
            return
        if self.refreshing is None or self.refreshing.done():
            self.refreshing = asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        """Every labelled criterion's kappa and n, read and computed off the event loop."""
        if self.git_dir is None:
            return
        # Taken before reading: a label given meanwhile makes the next hover refresh again.
        stamp = self._queue_stamp()
        # numpy and the statistics load in that thread too, and only once a queue exists.
        from rubric_lsp.scoring.review.agreement import agreement_of

        with contextlib.suppress(OSError, ReviewError):
            self.figures = await asyncio.to_thread(agreement_of, self.git_dir)
            self.figures_stamp = stamp

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        """A criterion's agreement with people's labels, when any were given."""
        # The hover answers from the figures it has; a changed queue is read in the background.
        self._refresh_when_changed()
        found = self.figures.get(criterion)
        if found is None or found.labels == 0:
            return []
        kappa = "undefined" if found.kappa is None else f"{found.kappa:.2f}"
        return [
            f"Agreement with people: kappa {kappa} (quadratic) on {found.labels} labelled "
            "item(s); `rubric calibrate` gives every figure with its interval."
        ]

    def _last_review_id(self, uri: str | None = None) -> str | None:
        """The review id of the last result the server showed (on that rubric, if given)."""
        with contextlib.suppress(KeyError):
            runs = self.features.get(ScoringFeature).runs
            if runs.last is not None and (uri is None or uri == runs.rubric_uri):
                return runs.last.review_id
        return None

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """On a rubric whose last result was queued: open it for review."""
        if not asks_for(params.context.only, types.CodeActionKind.Refactor):
            return []
        review_id = self._last_review_id(params.text_document.uri)
        if review_id is None:
            return []
        title = f"Review this borderline result (queued as {review_id})"
        return [
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.Refactor,
                command=types.Command(title=title, command=REVIEW_COMMAND, arguments=[review_id]),
            )
        ]

    @command(REVIEW_COMMAND)
    async def review(self, *args: Any) -> dict[str, Any] | None:
        """Write a queued item as a rubric document and show it; its id, uri and path."""
        review_id = str(args[0]) if args and args[0] else self._last_review_id()
        root = workspace_root(self.server)
        if review_id is None or root is None:
            self._say("no queued result to review: score a borderline change first")
            return None
        try:
            repo = await Repository.find(root)
            item = await asyncio.to_thread(ReviewQueue(repo.git_dir).get, review_id)
            path = review_path(repo.git_dir, item.id)
            await asyncio.to_thread(_write, path, review_document(item))
        except (ReviewError, ScoringError, OSError) as error:
            self._say(str(error))
            return None
        uri = path.as_uri()
        window = self.server.client_capabilities.window
        if window is not None and window.show_document is not None and window.show_document.support:
            try:
                await asyncio.wait_for(
                    self.server.window_show_document_async(
                        types.ShowDocumentParams(uri=uri, take_focus=True)
                    ),
                    10,
                )
            except Exception as error:  # the document is written; the client may open it
                self.server.log(f"rubric-lsp: could not show {uri}: {error}")
        return {"id": item.id, "uri": uri, "path": str(path)}

    def document_save(self, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = uri_path(uri)
        git_dir = git_dir_of(path) if path is not None else None
        if path is None or git_dir is None:
            return
        snapshot = self.server.snapshot(uri)
        text = params.text or (snapshot.text if snapshot is not None else None)
        task = asyncio.get_running_loop().create_task(self._record(git_dir, path, text))
        self.recording.add(task)
        task.add_done_callback(self.recording.discard)

    async def _record(self, git_dir: Path, path: Path, text: str | None) -> None:
        """Validate the saved document's last score block and append it as a label."""
        try:
            if text is None:
                text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            queue = ReviewQueue(git_dir)
            item = await asyncio.to_thread(queue.get, item_id_of(text) or path.stem)
            points, note = points_from_document(item, text)
            person = await who(git_dir)
            label = make_label(points, person, note, via="editor")
            labelled = await asyncio.to_thread(queue.label, item.id, label)
        except (ReviewError, ScoringError, OSError) as error:
            self._say(f"label not recorded: {error}", types.MessageType.Error)
            return
        if self.git_dir == git_dir:
            # Hovers show the new label's effect from the moment it is said to be recorded.
            await self._refresh()
        given = " ".join(f"{name}={number(value)}" for name, value in points.items())
        self._say(
            f"label recorded for {item.id}: {given} by {label.who} "
            f"({len(labelled.labels)} label(s))",
            types.MessageType.Info,
        )

    def _say(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """Tell the user in a message window."""
        self.server.window_show_message(
            types.ShowMessageParams(type=kind, message=f"rubric-lsp: {message}")
        )

    async def shutdown(self) -> None:
        if self.recording:
            await asyncio.wait(set(self.recording), timeout=5)
