"""Feature objects: each area of the server reacts to events and answers its own requests.

A feature overrides the lifecycle methods it cares about, marks its request handlers with
``@request`` (or ``@command``) and contributes to requests that several features answer
together (hover sections, code actions, code lenses). ``lsp/setup.py`` registers each LSP
method once and calls the features in order; one feature's failure is logged and the
others still run.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

if TYPE_CHECKING:
    from rubric_lsp.lsp.server import RubricLanguageServer

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
FeatureT = TypeVar("FeatureT", bound="Feature")

_HANDLER = "_rubric_lsp_handler"


@dataclass(frozen=True)
class Handler:
    """How a feature method is registered: an LSP method with its options, or a command."""

    method: str
    options: Any = None
    is_command: bool = False


def request(method: str, options: Any = None) -> Callable[[F], F]:
    """Mark a feature method as the server's one handler of an LSP request or notification."""

    def mark(handler: F) -> F:
        setattr(handler, _HANDLER, Handler(method, options))
        return handler

    return mark


def command(name: str) -> Callable[[F], F]:
    """Mark a feature method as the handler of a ``workspace/executeCommand`` command."""

    def mark(handler: F) -> F:
        setattr(handler, _HANDLER, Handler(name, is_command=True))
        return handler

    return mark


def asks_for(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action request wants actions of this kind (or of any kind)."""
    return not only or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)


class Feature:
    """One area of the server; every method here is a no-op a subclass may override."""

    def __init__(self, server: RubricLanguageServer, features: FeatureSet) -> None:
        self.server = server
        # The other features, for the contribution points this one gathers.
        self.features = features

    def handlers(self) -> list[tuple[Handler, Callable[..., Any]]]:
        """The methods marked with ``@request`` or ``@command``, bound to this feature."""
        # In the order they are defined: the server announces commands in this order.
        names = dict.fromkeys(
            name
            for cls in reversed(type(self).__mro__)
            for name in vars(cls)
            if not name.startswith("__")
        )
        found = []
        for name in names:
            handler: Handler | None = getattr(getattr(type(self), name), _HANDLER, None)
            if handler is not None:
                found.append((handler, getattr(self, name)))
        return found

    # Lifecycle, called on every feature in order.

    def initialize(self, params: types.InitializeParams) -> None:
        """The client's ``initialize`` request, before the server answers it."""

    def ready(self, params: types.InitializedParams) -> None:
        """The client is ready: tell it what needs no answer, before any later message."""

    async def initialized(self, params: types.InitializedParams) -> None:
        """The client is ready: ask it things, register capabilities."""

    def settings_changed(self) -> None:
        """``server.settings`` holds new values."""

    def document_open(self, params: types.DidOpenTextDocumentParams) -> None:
        """A document was opened (of any language the client syncs)."""

    def document_change(self, params: types.DidChangeTextDocumentParams) -> None:
        """A document changed; the workspace already holds the new text."""

    def document_save(self, params: types.DidSaveTextDocumentParams) -> None:
        """A document was saved."""

    def document_close(self, params: types.DidCloseTextDocumentParams) -> None:
        """A document was closed."""

    async def shutdown(self) -> None:
        """The server is about to end: stop work in flight and release what it holds."""

    # Contribution points: requests whose answer is gathered from every feature.

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        """More markdown for the hover of a criterion name."""
        return []

    # Kinds of the code actions this feature offers, announced in the server's capabilities.
    code_action_kinds: tuple[str, ...] = ()

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Code actions for a range of an open rubric."""
        return []

    def code_lenses(self, params: types.CodeLensParams) -> list[types.CodeLens]:
        """Code lenses for a document."""
        return []


class FeatureSet:
    """The server's features in order, and the calls that fan out to all of them."""

    def __init__(self, server: RubricLanguageServer, classes: Iterable[type[Feature]]) -> None:
        self.server = server
        self._features: list[Feature] = []
        for cls in classes:
            self._features.append(cls(server, self))
        # Each fan-out calls only the features that implement it: a didChange reaches
        # one feature of the dozen, thousands of times in an edit storm.
        self._implementing: dict[str, list[Feature]] = {}

    def __iter__(self) -> Iterator[Feature]:
        return iter(self._features)

    def get(self, cls: type[FeatureT]) -> FeatureT:
        """The feature of a class (a KeyError when it is not loaded)."""
        for feature in self._features:
            if isinstance(feature, cls):
                return feature
        raise KeyError(cls.__name__)

    def overriding(self, method: str) -> list[Feature]:
        """The features that implement a method of ``Feature`` themselves, in order."""
        found = self._implementing.get(method)
        if found is None:
            base = getattr(Feature, method)
            found = [f for f in self._features if getattr(type(f), method) is not base]
            self._implementing[method] = found
        return found

    def report(self, feature: object, method: str, error: BaseException) -> None:
        """Log one feature's failure with its traceback, and tell the client's log."""
        where = f"{type(feature).__name__}.{method}"
        logger.error("Error in '%s'", where, exc_info=error)
        # The client may be gone; the failure is logged above either way.
        with contextlib.suppress(Exception):
            self.server.log(
                f"rubric-lsp: Error in '{where}': {type(error).__name__}: {error}",
                types.MessageType.Error,
            )

    def notify(self, method: str, *args: Any) -> None:
        """Call a synchronous lifecycle method on every feature that implements it."""
        for feature in self.overriding(method):
            try:
                getattr(feature, method)(*args)
            except Exception as error:  # one feature failing must not stop the others
                self.report(feature, method, error)

    async def notify_async(self, method: str, *args: Any) -> None:
        """Await an asynchronous lifecycle method of each feature implementing it, in turn."""
        for feature in self.overriding(method):
            try:
                await getattr(feature, method)(*args)
            except Exception as error:  # one feature failing must not stop the others
                self.report(feature, method, error)

    def gather(self, method: str, *args: Any) -> list[Any]:
        """Every feature's contribution to a shared request, in feature order."""
        found: list[Any] = []
        for feature in self.overriding(method):
            try:
                found.extend(getattr(feature, method)(*args))
            except Exception as error:  # the other features' parts are still answered
                self.report(feature, method, error)
        return found

    def settings_changed(self) -> None:
        """Tell every feature that the settings changed."""
        self.notify("settings_changed")

    def hover_sections(self, uri: str, criterion: str) -> list[str]:
        """Every feature's hover sections for a criterion name."""
        return [text for text in self.gather("hover_sections", uri, criterion) if text]
