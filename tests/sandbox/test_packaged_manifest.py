"""An installed Rapport (no repository around it) plays Slack by the same manifest as a checkout."""

from __future__ import annotations

from bot.sandbox.slack import manifest as hooks


def test_packaged_manifest_is_the_repository_manifest() -> None:
    assert hooks.PACKAGED_MANIFEST.is_file()
    assert hooks.PACKAGED_MANIFEST.read_text() == (hooks.REPO_ROOT / "manifest.yml").read_text()
    assert hooks.read_manifest(hooks.PACKAGED_MANIFEST) == hooks.read_manifest()
