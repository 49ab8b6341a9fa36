"""The server's settings are the shared scoring tree plus its own; editors and docs agree."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from rubric_lsp.lsp.settings import Settings, documented, read_settings
from rubric_lsp.scoring.options import DEFAULTS, DOC, CheckOverride, one_line, setting_fields

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_JSON = ROOT / "editors" / "vscode" / "package.json"
# Server settings VS Code does not show, and why.
NOT_IN_VSCODE = {
    "trusted": "the extension sends VS Code's workspace trust",
    "useCache": "the cache is always safe in an editor; the CLI's --no-cache is for debugging",
}


def _properties() -> dict[str, dict[str, object]]:
    data = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    properties: dict[str, dict[str, object]] = data["contributes"]["configuration"]["properties"]
    return properties


def test_every_shared_setting_is_a_server_setting() -> None:
    server = {field.name: field for field in attrs.fields(Settings)}
    for field in setting_fields():
        assert field.name in server, field.name
        assert server[field.name].metadata[DOC] == field.metadata[DOC]
        if field.name != "trusted":
            assert getattr(Settings(), field.name) == getattr(DEFAULTS, field.name)
    # The server runs a workspace's code only when the client says it may.
    assert DEFAULTS.trusted is True and Settings().trusted is False


def test_a_shared_setting_is_read_from_its_camel_case_key() -> None:
    settings, problems = read_settings(
        {"healThreshold": 0.5, "useCache": False, "critics": {"tests": {"timeout": 5}}}
    )
    assert problems == []
    assert settings.heal_threshold == 0.5 and settings.use_cache is False
    assert settings.critics == {"tests": CheckOverride(timeout=5)}
    _, problems = read_settings({"healThreshold": 1.5})
    assert problems == [
        "setting 'healThreshold' must be a number from 0 to 1, not 1.5; using the default 0.8"
    ]


def test_vscode_settings_have_the_servers_descriptions_and_defaults() -> None:
    properties = _properties()
    for key, default, description in documented():
        name = f"rubric.{key}"
        if key in NOT_IN_VSCODE:
            assert name not in properties, f"{name} is shown: drop it from NOT_IN_VSCODE"
            continue
        assert name in properties, f"{name} is missing from {PACKAGE_JSON}"
        shown = properties[name]
        assert shown["default"] == default, name
        # VS Code may add a sentence of its own (a command to run) after the shared text.
        text = str(shown.get("markdownDescription", shown.get("description")))
        assert text == description or text.startswith(description + " "), name


def test_vscode_check_overrides_have_the_trees_descriptions() -> None:
    schema = _properties()["rubric.critics"]["additionalProperties"]
    assert isinstance(schema, dict)
    shown = schema["properties"]
    for field in attrs.fields(CheckOverride):
        assert shown[field.name]["description"] == one_line(field.metadata[DOC])
        if field.default is not None:
            assert shown[field.name]["default"] == field.default


def test_vscode_shows_no_server_setting_the_server_does_not_have() -> None:
    known = {f"rubric.{key}" for key, _, _ in documented()}
    client_only = ("rubric.server.", "rubric.trace.")
    extra = [
        name for name in _properties() if name not in known and not name.startswith(client_only)
    ]
    assert extra == []


@pytest.mark.parametrize(("key", "default", "description"), documented())
def test_docs_table_row_has_the_default_and_doc(
    key: str, default: object, description: str
) -> None:
    reference = (ROOT / "docs" / "lsp.md").read_text(encoding="utf-8")
    assert f"| `{key}` | `{json.dumps(default)}` | {description} |" in reference
