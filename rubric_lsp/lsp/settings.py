"""The server's settings: typed, defaulted, read from initializationOptions and `rubric`.

Clients send one object with the settings at its top level, both as
``initializationOptions`` and as the ``rubric`` section of
``workspace/configuration`` (so VS Code's ``rubric.*`` settings map one to one).
Keys are camelCase. A value of the wrong type or out of range keeps that
setting's default and is reported back; unknown keys are ignored, so a newer
client can send settings an older server does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

SECTION = "rubric"


def _doc(text: str, expects: str) -> dict[str, str]:
    return {"doc": text, "expects": expects}


@attrs.frozen
class CriticSettings:
    """Per-check overrides: turn a check off, or give it another time limit."""

    enabled: bool = True
    timeout: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.gt(0))
    )


@attrs.frozen
class Settings:
    """Every setting of the language server, each with its default."""

    diagnostic_delay: int = attrs.field(
        default=50,
        validator=[attrs.validators.ge(0), attrs.validators.le(10_000)],
        metadata=_doc(
            "Milliseconds to wait after an edit before checking the document again; "
            "edits within this time are checked once (0 to 10000).",
            "a whole number from 0 to 10000",
        ),
    )
    snippets: bool = attrs.field(
        default=True,
        metadata=_doc(
            "Offer whole blocks and entries as snippets with placeholders, "
            "when the client supports snippets.",
            "true or false",
        ),
    )
    ranked_names: bool = attrs.field(
        default=True,
        metadata=_doc(
            "In score, rescore, critique and rule entries, list the criteria the block "
            "does not mention yet before the others.",
            "true or false",
        ),
    )
    rubric: str = attrs.field(
        default="",
        metadata=_doc(
            "The rubric to score against, relative to the workspace folder; empty: the single "
            "*.rubric at the repository root, else the built-in default rubric.",
            "a path",
        ),
    )
    base: str = attrs.field(
        default="HEAD",
        metadata=_doc(
            "Score the change against this revision: HEAD (uncommitted work), or a branch such "
            "as main (its merge-base with HEAD).",
            "a git revision",
        ),
    )
    score_on_save: bool = attrs.field(
        default=True,
        metadata=_doc(
            "Score the workspace's change whenever a Python or .rubric file is saved.",
            "true or false",
        ),
    )
    trusted: bool = attrs.field(
        default=False,
        metadata=_doc(
            "Allow checks that run the workspace's own code (tests, coverage, benchmark). "
            "Untrusted, they are skipped and the static checks still run.",
            "true or false",
        ),
    )
    heal_threshold: float = attrs.field(
        default=0.8,
        validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)],
        metadata=_doc(
            "Criteria scoring below this get the full chain of reasoning steps and a warning "
            "on the rubric (0 to 1).",
            "a number from 0 to 1",
        ),
    )
    critics: dict[str, CriticSettings] = attrs.field(
        factory=dict,
        metadata=_doc(
            'Per-check settings by check name, e.g. {"pylint": {"enabled": false}, '
            '"tests": {"timeout": 600}}.',
            "an object of {enabled, timeout} by check name",
        ),
    )


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


def read_settings(raw: object, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's object over ``base``, and a message per rejected value."""
    settings = base if base is not None else Settings()
    if raw is None:
        return settings, []
    if not isinstance(raw, Mapping):
        return settings, [f"rubric settings must be an object, not {type(raw).__name__}"]
    problems: list[str] = []
    attrs.resolve_types(Settings)
    defaults = Settings()
    for field in attrs.fields(Settings):
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
        (setting_key(f.name), getattr(defaults, f.name), re.sub(r"\s+", " ", f.metadata["doc"]))
        for f in attrs.fields(Settings)
    ]
