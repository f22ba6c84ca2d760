"""/metrics on a real `rapport run`, web and worker roles: counts and durations, never a workspace, person or text."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

from bot.metrics import SweepHealth, request_kind
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from tests.e2e.conftest import wait_for
from tests.e2e.test_run_process import bot_env, ephemeral_replies, fake, free_port, healthy, start, stop

__all__ = ["fake"]  # the fixture, shared with test_run_process


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:  # not listening yet
        return 0, ""


def value(metrics: str, name: str, **labels: str) -> float:
    """The sample's value (0 when absent); labels must match exactly those given, in any order."""
    for line in metrics.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return 0.0


def test_web_metrics_count_requests_acks_and_slack_calls_without_naming_anyone(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    process = start(bot_env(fake, tmp_path, PORT=str(port)), tmp_path)
    note = "private launch plans 4471"
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(base), timeout=30, what="rapport run to answer /healthz")
        slack = HttpDriver(fake, base + "/slack/events")
        maya = fake.user("maya")
        assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> coffee — {note}", channel="#coffee").ok
        wait_for(lambda: ephemeral_replies(fake, "lee"), what="the /met reply")
        unsigned = urllib.request.Request(base + "/slack/events", data=b"command=%2Fmet", method="POST")
        try:
            urllib.request.urlopen(unsigned, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 401
        status, metrics = get(base + "/metrics")
        assert status == 200
        assert value(metrics, "rapport_requests_total", kind="command", status="200") == 1
        assert value(metrics, "rapport_requests_total", kind="unsigned", status="401") == 1
        assert value(metrics, "rapport_ack_seconds_count", kind="command") == 1
        assert value(metrics, "rapport_slack_calls_total", method="users.info", result="ok") >= 1
        assert value(metrics, "rapport_nudges", status="pending") == 1, "the /met scheduled one follow-up"
        assert "rapport_auth_breakers_open 0.0" in metrics
        for private in (fake.team_id, maya.id, fake.user("lee").id, note, "maya"):
            assert private not in metrics
    finally:
        stop(process)


def test_the_worker_serves_metrics_and_health_on_its_own_port(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    env = bot_env(fake, tmp_path, RAPPORT_METRICS_PORT=str(port), RAPPORT_SWEEP_SECONDS="1")
    process = start(env, tmp_path, "--role", "worker")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(base + "/healthz")[0] == 200 or None, timeout=90, what="the worker's /healthz")

        def swept() -> str | None:
            metrics = get(base + "/metrics")[1]
            finished = (
                value(metrics, "rapport_sweep_seconds_count", sweep="followups.nudges") > 0
                and value(metrics, "rapport_sweep_last_success_timestamp_seconds", sweep="coffee.rounds") > 0
            )
            return metrics if finished else None

        metrics = wait_for(swept, timeout=60, what="a finished nudge sweep in the worker's metrics")
        assert value(metrics, "rapport_sweep_last_success_timestamp_seconds", sweep="coffee.rounds") > 0
        assert get(base + "/elsewhere")[0] == 404
    finally:
        output = stop(process)
    assert "worker: metrics and health on port" in output


def test_sweep_health_goes_stale_after_three_intervals() -> None:
    now = [100.0]
    health = SweepHealth(interval_seconds=30, clock=lambda: now[0])
    health.expect(["followups.nudges", "coffee.rounds"])
    now[0] += 89
    assert health.stale() == []
    health.finished("coffee.rounds")
    now[0] += 2
    assert health.stale() == ["followups.nudges"]


def test_request_kinds_are_a_bounded_set() -> None:
    assert request_kind({"command": "/met"}) == "command"
    assert request_kind({"type": "event_callback"}) == "event"
    assert request_kind({"type": "view_submission"}) == "view_submission"
    assert request_kind({"type": "<@U123> anything a body says"}) == "other"
