"""bot/logs.py: the JSON lines, the request context, and the levels that keep bodies out of the logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import (
    LIBRARY_FLOORS,
    ContextFilter,
    JsonLinesFormatter,
    TextFormatter,
    apply_privacy_policy,
    configure_logging,
    listener_executor,
    log_context,
)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the root handlers and the levels this module touches back (pytest's capture lives on the root)."""
    root = logging.getLogger()
    handlers, levels = list(root.handlers), {name: logging.getLogger(name).level for name in ("", *LIBRARY_FLOORS)}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def capture(formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    log = logging.getLogger(f"tests.logs.{id(stream)}")
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log, stream


def test_json_lines_hold_the_allow_listed_fields_and_the_request_ids_only() -> None:
    log, stream = capture(JsonLinesFormatter())
    with log_context(team="T1", user="U1", request="r1", listener="command /met"):
        log.info("logged interaction %s", 7, extra={"payload": {"text": "private"}})
    log.warning("outside any request")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert list(first) == ["time", "level", "logger", "message", "team", "user", "request", "listener"]
    assert first["message"] == "logged interaction 7" and first["level"] == "INFO" and first["team"] == "T1"
    assert "private" not in stream.getvalue(), "an extra= payload never reaches the output"
    assert set(second) == {"time", "level", "logger", "message"}


def test_json_lines_keep_a_traceback_on_one_line() -> None:
    log, stream = capture(JsonLinesFormatter())
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("listener failed")
    [line] = stream.getvalue().splitlines()
    assert "ValueError: boom" in json.loads(line)["exc_info"]


def test_text_lines_end_with_the_request_ids_when_there_are_any() -> None:
    log, stream = capture(TextFormatter())
    with log_context(team="T1", user=None):
        log.info("inside")
    log.info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith("inside [team=T1]") and outside.endswith("outside")


@pytest.mark.usefixtures("restore_logging")
def test_listener_threads_carry_the_request_context_and_report_their_duration() -> None:
    log, stream = capture(JsonLinesFormatter())
    apply_privacy_policy("INFO")
    logging.getLogger("bot.logs").addHandler(log.handlers[0])
    try:
        with listener_executor(2) as pool, log_context(team="T9", listener="action met_undo"):
            pool.submit(log.info, "in the listener").result()
    finally:
        logging.getLogger("bot.logs").removeHandler(log.handlers[0])
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert records[0]["message"] == "in the listener" and records[0]["team"] == "T9"
    assert records[1]["listener"] == "action met_undo" and records[1]["duration_ms"] >= 0


@pytest.mark.usefixtures("restore_logging")
def test_a_second_configuration_takes_effect_and_libraries_stay_at_their_floors() -> None:
    configure_logging("INFO")
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    logging.getLogger("rapport.test").debug("visible at DEBUG")
    logging.getLogger("slack_sdk.web.base_client").debug("Sending a request - body: private")
    logging.getLogger("sqlalchemy.engine.Engine").info("[parameters: ('private',)]")
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "visible at DEBUG"


@pytest.mark.usefixtures("restore_logging")
def test_bolts_rejected_signature_line_loses_the_body() -> None:
    apply_privacy_policy("INFO")
    log, stream = capture(logging.Formatter("%(message)s"))
    logging.getLogger("slack_bolt.RequestVerification").handlers[:] = log.handlers
    try:
        logging.getLogger("slack_bolt.RequestVerification").info(
            "Invalid request signature detected (signature: v0=1, timestamp: 1, body: token=t&text=my+private+note)"
        )
    finally:
        logging.getLogger("slack_bolt.RequestVerification").handlers[:] = []
    assert "private" not in stream.getvalue() and "SLACK_SIGNING_SECRET" in stream.getvalue()
