"""The Slack-in boundary helpers: no input raises, control characters never survive, numbers stay in range."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from handlers.boundary import bounded_int, calendar_day, clean_text, record_id, scrub, slack_id


@given(st.text())
def test_clean_text_keeps_only_newline_and_tab_among_controls(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in cleaned) and "\x7f" not in cleaned
    assert clean_text(cleaned) == cleaned


def test_clean_text_examples() -> None:
    assert clean_text("a\x00b\r\nc\td\x1b[31m") == "ab\nc\td[31m"


def test_scrub_cleans_nested_payloads_in_place() -> None:
    payload = {"text": "x\x00", "view": {"state": {"values": [{"value": "n\x00o\x07te"}]}}, "n": 3}
    assert scrub(payload) is payload
    assert payload == {"text": "x", "view": {"state": {"values": [{"value": "note"}]}}, "n": 3}


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()))
def test_bounded_int_never_raises_and_stays_in_range(value: object) -> None:
    result = bounded_int(value, 1, 365)
    assert result is None or 1 <= result <= 365


def test_bounded_int_examples() -> None:
    assert [bounded_int(v, 1, 365) for v in ("7", " 30 ", 366, "10" * 20, "1.5", "-3", True, None)] == [
        7,
        30,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    assert record_id("9" * 19) is None and record_id("42") == 42


def test_days_and_ids() -> None:
    assert calendar_day("2026-11-20") == date(2026, 11, 20)
    assert calendar_day("0001-01-01") is None and calendar_day("9999-12-31") is None and calendar_day("x") is None
    assert slack_id("C0RPTCOFFE", "CG") == "C0RPTCOFFE"
    assert slack_id("D123", "CG") is None and slack_id("", "UW") is None and slack_id("U" * 40, "UW") is None
