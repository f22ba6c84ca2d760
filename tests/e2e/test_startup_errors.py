"""Start-up and operator errors, as an operator meets them: a real `rapport` process, one line, exit code 2."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from storage import migrate
from tests.conftest import postgres_admin_url
from tests.e2e.conftest import wait_for
from tests.e2e.test_run_process import RAPPORT, bot_env, free_port, start, stop

CLOSED = "http://127.0.0.1:{port}/api/"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def rapport(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RAPPORT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=90)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The whole of stderr, which must be exactly one `rapport: …` line, after exit code 2."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("rapport: "), lines
    return lines[0]


def quiet(env: dict[str, str]) -> dict[str, str]:
    """Only warnings and errors on stderr, so the error line is the only line (the INFO lines are not errors)."""
    return {**env, "RAPPORT_LOG_LEVEL": "WARNING"}


def db_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
    return {**env, "DATABASE_URL": url}


def missing_postgres_database() -> str:
    return (
        make_url(postgres_admin_url())
        .set(database=f"rapport_missing_{uuid.uuid4().hex[:8]}")
        .render_as_string(hide_password=False)
    )


# ---- settings and database -------------------------------------------------------------------------------------


def test_every_missing_or_invalid_setting_is_reported_at_once(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path, DATABASE_URL="nonsense", RAPPORT_SWEEP_SECONDS="soon", RAPPORT_LOG_FORMAT="xml")
    del env["SLACK_BOT_TOKEN"], env["SLACK_SIGNING_SECRET"]
    result = rapport(env, tmp_path, "run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("rapport: ") for line in lines), lines
    named = " ".join(lines)
    for setting in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "RAPPORT_SWEEP_SECONDS"):
        assert setting in named, (setting, lines)
    assert "RAPPORT_LOG_FORMAT" in named
    assert len(lines) == 5


def test_nonsense_database_url(fake: FakeSlack, tmp_path: Path) -> None:
    line = one_line(rapport(bot_env(fake, tmp_path, DATABASE_URL="nonsense"), tmp_path, "run"))
    assert line.startswith("rapport: Invalid setting DATABASE_URL: not a database URL")
    assert one_line(rapport(db_env("nonsense"), tmp_path, "db", "upgrade")) == line


def test_a_missing_postgres_database_names_it_and_hides_the_password(fake: FakeSlack, tmp_path: Path) -> None:
    url = make_url(missing_postgres_database()).set(password="hunter2-db-password")
    url_text = url.render_as_string(hide_password=False)
    for result in (
        rapport(bot_env(fake, tmp_path, DATABASE_URL=url_text), tmp_path, "run"),
        rapport(db_env(url_text), tmp_path, "db", "upgrade"),
    ):
        line = one_line(result)
        assert f'database "{url.database}" does not exist' in line and line.endswith("check DATABASE_URL"), line
        assert "hunter2" not in line


def test_db_upgrade_refuses_unknown_revisions_and_downgrades(tmp_path: Path) -> None:
    env = db_env(f"sqlite:///{tmp_path / 'rapport.db'}")
    line = one_line(rapport(env, tmp_path, "db", "upgrade", "bogus"))
    known = sorted(path.name[:4] for path in Path(migrate.__file__).parent.glob("migrations/versions/0*.py"))
    assert line == f"rapport: no migration 'bogus': this version of Rapport knows {', '.join(known)} and head"
    assert rapport(env, tmp_path, "db", "upgrade").returncode == 0
    line = one_line(rapport(env, tmp_path, "db", "upgrade", "0002"))
    assert "past 0002: Rapport does not downgrade" in line


# ---- Slack --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "api_url",
    [pytest.param("closed", id="connection-refused"), pytest.param("https://slack.invalid/api/", id="dns-failure")],
)
def test_socket_mode_when_slack_cannot_be_reached(fake: FakeSlack, tmp_path: Path, api_url: str) -> None:
    api_url = CLOSED.format(port=free_port()) if api_url == "closed" else api_url
    env = bot_env(fake, tmp_path, SLACK_APP_TOKEN=fake.app_token, SLACK_API_URL=api_url)
    line = one_line(rapport(quiet(env), tmp_path, "run"))
    assert line.startswith("rapport: cannot reach Slack at ") and line.endswith("check SLACK_API_URL and the network")


def test_socket_mode_with_a_bad_app_token(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path, SLACK_APP_TOKEN="xapp-1-A0-not-a-real-token")
    line = one_line(rapport(quiet(env), tmp_path, "run"))
    assert line.startswith("rapport: Slack refused to open a Socket Mode connection (invalid_auth)")
    assert "check SLACK_APP_TOKEN" in line and "not-a-real-token" not in line


def test_a_rejected_bot_token_in_socket_mode(fake: FakeSlack, tmp_path: Path) -> None:
    env = bot_env(fake, tmp_path, SLACK_APP_TOKEN=fake.app_token, SLACK_BOT_TOKEN="xoxb-not-a-real-token")
    line = one_line(rapport(quiet(env), tmp_path, "run"))
    assert line == "rapport: Slack rejected the bot token (invalid_auth): check SLACK_BOT_TOKEN"


class Relay:
    """A TCP relay from a port chosen now to the fake Slack, switched on later: Slack coming back after a blip."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self._server: socket.socket | None = None

    def start(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()

    def _accept(self) -> None:
        assert self._server is not None
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


def health(base: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=15) as answer:  # a loaded machine answers late
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None


def test_http_mode_starts_while_slack_is_down_and_becomes_ready_when_it_answers(
    fake: FakeSlack, tmp_path: Path
) -> None:
    fake_port = int(fake.base_url.rsplit(":", 1)[1])
    relay = Relay(fake_port)
    port = free_port()
    env = bot_env(fake, tmp_path, SLACK_API_URL=CLOSED.format(port=relay.port), PORT=str(port))
    process = start(env, tmp_path, "--role", "web")
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: health(base), timeout=60, what="/healthz to answer") == (503, "not ready\n")
        relay.start()
        assert wait_for(lambda: health(base) == (200, "ok\n"), timeout=60, what="ready once Slack answers")
        maya = fake.user("maya")
        slack = HttpDriver(fake, base + "/slack/events")
        assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> coffee", channel="#coffee").ok
    finally:
        output = stop(process)
        relay.close()
    assert "not ready (attempt 1): cannot reach Slack at 127.0.0.1" in output
    assert "ready: Slack accepted the bot token" in output
    assert "Traceback" not in output, output[-4000:]


# ---- the command itself -----------------------------------------------------------------------------------------


def test_version_and_run_help(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = rapport(db_env("sqlite://"), tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"rapport {version('rapport')}"
    result = rapport(db_env("sqlite://"), tmp_path, "run", "--help")
    assert result.returncode == 0
    assert "README.md → Configuration" in result.stdout
    for setting in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "RAPPORT_LOG_LEVEL"):
        assert setting in result.stdout
