"""What came of a Slack call, and which failures are worth retrying."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

from bot.domain.breaker import is_auth_error
from bot.domain.outcomes import SendOutcome

# Slack will not change its mind about these: end the work item and record the reason. Auth errors are not among
# them: they are about the workspace's token, not the work item, so they come back as ``SendOutcome.refused`` (the
# work is kept) and the caller pauses the whole workspace (its auth breaker) instead of retrying item by item.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_not_visible",
        "user_disabled",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cannot_dm_bot",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "msg_too_long",
        "msg_blocks_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "restricted_action",
        "team_access_not_granted",
        "view_too_large",
    }
)
# Transient by Slack's own description: try again later.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
        "timeout",
        "connection_error",
    }
)
RATE_LIMITED = "ratelimited"
LOCALLY_RATE_LIMITED = "rate_limited_locally"  # the gateway's own limiter refused to wait that long
DEFAULT_RETRY_AFTER = 1.0  # Slack always sends Retry-After with a 429; this covers the odd case it does not
_ERROR_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class SlackGatewayError(Exception):
    """Raised by gateway calls that return data rather than a SendOutcome; carries the classified result."""

    def __init__(self, method: str, result: SendOutcome) -> None:
        super().__init__(f"{method} failed: {result.error}")
        self.method = method
        self.result = result


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """Seconds from a Retry-After header (any capitalisation, str or [str]); None when absent or unreadable."""
    if not headers:
        return None
    for name, value in headers.items():
        if str(name).lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list | tuple) and value else value
        try:
            seconds = float(str(raw).strip())
        except ValueError:
            return None
        return seconds if seconds >= 0 else None
    return None


def classify_api_error(error: SlackApiError) -> SendOutcome:
    """Classify a SlackApiError (HTTP status and Slack's ``error`` code) as retryable or permanent."""
    response = error.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = getattr(response, "data", None)
    raw_code = data.get("error") if isinstance(data, dict) else None
    # Non-JSON bodies (an HTML 502 page) come back as a long message: keep only real codes, never echo bodies.
    code = raw_code if isinstance(raw_code, str) and _ERROR_CODE.match(raw_code) else None
    if status == 429 or code in {"ratelimited", "rate_limited"}:
        retry_after = retry_after_seconds(getattr(response, "headers", None))
        return SendOutcome.retry_later(RATE_LIMITED, retry_after if retry_after is not None else DEFAULT_RETRY_AFTER)
    if status >= 500:
        return SendOutcome.retry_later(code or f"http_{status}")
    if code in TRANSIENT_ERRORS:
        return SendOutcome.retry_later(code)
    if is_auth_error(code):
        return SendOutcome.refused(str(code))
    if code is not None:
        return SendOutcome.failed(code)  # known permanent, or not known to be transient
    return SendOutcome.failed(f"http_{status}" if status else "unknown_error")


def classify_network_error(error: BaseException) -> SendOutcome:
    """Classify a failure to reach Slack at all: always retryable."""
    if isinstance(error, TimeoutError):
        return SendOutcome.retry_later("timeout")
    if isinstance(error, URLError) and isinstance(error.reason, TimeoutError):
        return SendOutcome.retry_later("timeout")
    if isinstance(error, OSError | HTTPException):
        return SendOutcome.retry_later("connection_error")
    return SendOutcome.failed(type(error).__name__)
