"""manifest.yml is a valid Slack app manifest and declares what the code uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).parent / "data" / "slack-manifest.schema.1.0.0.json"


def load_manifest() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_manifest_validates_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(load_manifest())


def test_every_command_escapes_mentions_and_has_help() -> None:
    commands = load_manifest()["features"]["slash_commands"]
    assert {c["command"] for c in commands} >= {"/met"}
    assert all(c["should_escape"] is True for c in commands)


def test_scopes_are_minimal_and_documented_in_the_readme() -> None:
    scopes = load_manifest()["oauth_config"]["scopes"]["bot"]
    readme = (ROOT / "README.md").read_text()
    for scope in scopes:
        assert f"`{scope}`" in readme, f"README must justify the {scope} scope"


def test_interactivity_and_socket_mode_are_configured() -> None:
    settings = load_manifest()["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
