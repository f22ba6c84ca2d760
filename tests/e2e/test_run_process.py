"""`rapport run` as an operator starts it: a real process, configured only by environment variables."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import HttpDriver, SocketDriver
from bot.sandbox.slack import FakeSlack
from tests.e2e.conftest import wait_for

RAPPORT = Path(sys.executable).with_name("rapport")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=fake.signing_secret,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'rapport.db'}",
    )
    env.update(extra)
    return env


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def start(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(RAPPORT), "run", *args], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output.decode()
    return output.decode()


def ephemeral_replies(fake: FakeSlack, user: str) -> list[str]:
    return [m.text for m in fake.messages(fake.channel_id("#coffee"), as_user=fake.user(user).id)]


def test_http_mode_serves_met_and_health_and_stops_cleanly(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    process = start(bot_env(fake, tmp_path, PORT=str(port)), tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(base), timeout=30, what="rapport run to answer /healthz")
        slack = HttpDriver(fake, base + "/slack/events")
        maya = fake.user("maya")
        assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> coffee", channel="#coffee").ok
        [reply] = wait_for(lambda: ephemeral_replies(fake, "lee"), what="the /met reply")
        assert reply.startswith("Logged: coffee with maya, today")
    finally:
        output = stop(process)
    assert "HTTP mode: listening" in output
    assert fake.bot_token not in output and fake.signing_secret not in output, "secrets never reach the logs"
    assert (tmp_path / "rapport.db").exists(), "migrations ran at start"


def test_socket_mode_when_an_app_token_is_set(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path, SLACK_APP_TOKEN=fake.app_token)
    del env["SLACK_SIGNING_SECRET"]
    process = start(env, tmp_path)
    try:
        slack = SocketDriver(fake, connect_timeout=30)
        slack.wait_connected()
        maya = fake.user("maya")
        answer = slack.slash_command("lee", "/met", f"<@{maya.id}|maya> yesterday lunch", channel="#coffee")
        assert answer.ok, answer
        [reply] = wait_for(lambda: ephemeral_replies(fake, "lee"), what="the /met reply over Socket Mode")
        assert reply.startswith("Logged: lunch with maya, yesterday")
    finally:
        output = stop(process)
    assert "Socket Mode: connected" in output
    assert fake.app_token not in output


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        ("SLACK_BOT_TOKEN", "rapport: Missing setting SLACK_BOT_TOKEN: set it in the environment or in .env"),
        ("SLACK_SIGNING_SECRET", "rapport: Missing setting SLACK_SIGNING_SECRET: it is required in HTTP mode"),
    ],
)
def test_a_missing_setting_stops_startup_with_one_line(
    fake: FakeSlack, tmp_path: Path, drop: str, expected: str
) -> None:
    env = bot_env(fake, tmp_path)
    del env[drop]
    result = subprocess.run([str(RAPPORT), "run"], env=env, cwd=tmp_path, capture_output=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_a_rejected_token_stops_startup_with_one_line(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path, SLACK_BOT_TOKEN="xoxb-not-a-real-token", PORT=str(free_port()))
    result = subprocess.run(
        [str(RAPPORT), "run", "--role", "web"], env=env, cwd=tmp_path, capture_output=True, timeout=60
    )
    assert result.returncode == 2
    last = result.stderr.decode().strip().splitlines()[-1]
    assert last == "rapport: Slack rejected the bot token (invalid_auth): check SLACK_BOT_TOKEN", last
    assert "xoxb-not-a-real-token" not in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_json_logs_at_debug_carry_the_request_ids_and_no_content(fake: FakeSlack, tmp_path: Path) -> None:
    port = free_port()
    env = bot_env(fake, tmp_path, PORT=str(port), RAPPORT_LOG_LEVEL="debug", RAPPORT_LOG_FORMAT="json")
    process = start(env, tmp_path, "--role", "web")
    note = "private words about the reorg budget"
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: healthy(base), timeout=30, what="rapport run to be ready")
        slack = HttpDriver(fake, base + "/slack/events")
        maya = fake.user("maya")
        sent = slack.slash_command("lee", "/met", f"<@{maya.id}|maya> coffee — {note} #reorg", channel="#coffee")
        assert sent.ok
        wait_for(lambda: ephemeral_replies(fake, "lee"), what="the /met reply")
    finally:
        output = stop(process)
    records = [json.loads(line) for line in output.splitlines()]  # every line is one JSON object
    debug = [record for record in records if record["level"] == "DEBUG"]
    assert any(r["message"] == "handling command /met" for r in debug), "RAPPORT_LOG_LEVEL=debug takes effect"
    libraries = ("slack_sdk", "slack_bolt", "sqlalchemy")
    assert not [r for r in debug if r["logger"].startswith(libraries)], "libraries that log bodies stay at INFO+"
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    [finished] = [r for r in records if r.get("listener") == "command /met" and "duration_ms" in r]
    assert finished["team"] == fake.team_id and finished["user"] == fake.user("lee").id and finished["request"]
    for private in (note, "reorg", sent.payload["response_url"], fake.verification_token, fake.signing_secret):
        assert private not in output
    assert "xoxb-" not in output


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_db_upgrade_needs_no_slack_tokens(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = subprocess.run([str(RAPPORT), "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "fresh.db").exists()
