"""Which ``response_url`` Rapport may post to: Slack's hooks host, or in the sandbox the configured API's origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SLACK_HOOKS_ORIGIN = ("https", "hooks.slack.com", 443)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Printable ASCII without spaces or backslashes: anything else is parsed differently by different URL parsers.
_PLAIN_URL = re.compile(r"[!-\[\]-~]+")


def _origin(url: str) -> tuple[str, str, int] | None:
    if not _PLAIN_URL.fullmatch(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def is_allowed_response_url(url: object, api_url: str) -> bool:
    """True when ``url`` is on Slack's hooks host (https://hooks.slack.com) or on the origin of ``api_url``.

    The API origin is allowed so the sandbox's fake Slack (which mints its response_urls on its own host and port)
    works; with the default ``https://slack.com/api/`` that adds only Slack's own host.
    """
    if not isinstance(url, str) or len(url) > 2048:
        return False
    origin = _origin(url)
    return origin is not None and origin in {SLACK_HOOKS_ORIGIN, _origin(api_url)}
