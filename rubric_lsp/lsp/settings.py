"""The server's settings: the shared scoring settings plus the editor's own, read from clients.

Clients send one object with the settings at its top level, both as
``initializationOptions`` and as the ``rubric`` section of
``workspace/configuration`` (so VS Code's ``rubric.*`` settings map one to one).
Keys are camelCase. A value of the wrong type or out of range keeps that
setting's default and is reported back; unknown keys are ignored, so a newer
client can send settings an older server does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from rubric_lsp.scoring.options import (
    CheckOverride,
    ScoringSettings,
    between,
    one_line,
    setting,
    setting_fields,
)

SECTION = "rubric"

# The name features and tests know a check's overrides by.
CriticSettings = CheckOverride


def _server_default(name: str, default: object) -> Any:
    """A shared setting with the server's own default; its doc and checks stay the tree's."""
    (shared,) = [field for field in setting_fields() if field.name == name]
    return attrs.field(default=default, validator=shared.validator, metadata=shared.metadata)


@attrs.frozen
class Settings(ScoringSettings):
    """Every setting of the language server, each with its default."""

    diagnostic_delay: int = setting(
        50,
        doc="Milliseconds to wait after an edit before checking the document again; "
        "edits within this time are checked once (0 to 10000).",
        expects="a whole number from 0 to 10000",
        validator=between(0, 10_000),
    )
    snippets: bool = setting(
        True,
        doc="Offer whole blocks and entries as snippets with placeholders, "
        "when the client supports snippets.",
        expects="true or false",
    )
    ranked_names: bool = setting(
        True,
        doc="In score, rescore, critique and rule entries, list the criteria the block "
        "does not mention yet before the others.",
        expects="true or false",
    )
    score_on_save: bool = setting(
        True,
        doc="Score the workspace's change whenever a Python or .rubric file is saved.",
        expects="true or false",
    )
    judge_on_save: bool = setting(
        False,
        doc="Ask the judge about `check=judge` criteria when a save scores the change too; "
        "off, a save leaves them skipped and the code lens or the `rubric.score` command "
        "asks it.",
        expects="true or false",
    )
    # A workspace's code runs only when the client says the workspace is trusted.
    trusted: bool = _server_default("trusted", False)


def setting_key(name: str) -> str:
    """The camelCase key a client uses for a field name."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _strict(kind: type) -> Callable[[Any, Any], Any]:
    """A structure hook that accepts only values of ``kind`` (no "yes" → True)."""

    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"expected {kind.__name__}, got a boolean")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return structure


converter = cattrs.Converter()
for _kind in (bool, int, float, str):
    converter.register_structure_hook(_kind, _strict(_kind))


def _fields() -> list[attrs.Attribute[Any]]:
    """The server's own settings first, then the shared scoring ones."""
    attrs.resolve_types(Settings)
    every = {field.name: field for field in attrs.fields(Settings)}
    shared = [every.pop(field.name) for field in setting_fields()]
    return [*every.values(), *shared]


def read_settings(raw: object, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's object over ``base``, and a message per rejected value."""
    settings = base if base is not None else Settings()
    if raw is None:
        return settings, []
    if not isinstance(raw, Mapping):
        return settings, [f"rubric settings must be an object, not {type(raw).__name__}"]
    problems: list[str] = []
    defaults = Settings()
    for field in _fields():
        key = setting_key(field.name)
        if key not in raw:
            continue
        value = raw[key]
        try:
            structured = converter.structure(value, field.type or object)
            settings = attrs.evolve(settings, **{field.name: structured})
        except (TypeError, ValueError, AttributeError, cattrs.BaseValidationError):
            default = getattr(defaults, field.name)
            problems.append(
                f"setting '{key}' must be {field.metadata['expects']}, not {_shown(value)}; "
                f"using the default {_shown(default)}"
            )
            settings = attrs.evolve(settings, **{field.name: default})
    return settings, problems


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 40 else text[:37] + "..."


def documented() -> list[tuple[str, object, str]]:
    """(key, default, description) of every setting, for docs and editor manifests."""
    defaults = Settings()
    return [
        (setting_key(f.name), getattr(defaults, f.name), one_line(f.metadata["doc"]))
        for f in _fields()
    ]
