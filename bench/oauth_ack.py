"""What OAuth installs cost a `/met`: ack latency and Web API calls per command, one token vs. installs.

The same real app (EmbeddedBot on waitress, SQLite in a temp dir) gets the same Slack-signed `/met @lee coffee`
commands, one at a time, in single-workspace mode (SLACK_BOT_TOKEN) and with OAuth installs (two workspaces behind
the sandbox's grid, commands alternating between them). With installs, Bolt reads the workspace's bot token from the
installation store (decrypting it) before every ack; auth.test is cached per token.

.venv/bin/python -m bench.oauth_ack [--commands 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import threading
import uuid
from collections.abc import Callable

from bot.clock import SystemClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack, FakeSlackGrid
from bot.settings import Settings
from storage import migrate
from storage.db import make_engine
from storage.secrets import TokenCipher

WARM_UP = 20


def workspace() -> FakeSlack:
    return FakeSlack(seed=dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper()))


def database(directory: str, name: str) -> str:
    url = f"sqlite:///{directory}/{name}.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def measure(bot: EmbeddedBot, send: Callable[[int], float], commands: int) -> list[float]:
    """Ack seconds of ``commands`` commands after a warm-up; returns once the work after the last ack is done."""
    for index in range(WARM_UP):
        send(index)
    seconds = [send(WARM_UP + index) for index in range(commands)]
    threads = bot.container.settings.rapport_after_ack_threads
    everyone = threading.Barrier(threads + 1, timeout=30)
    for _ in range(threads):
        bot.container.after_ack.executor.submit(everyone.wait)
    everyone.wait()
    return seconds


def web_api_calls(fake: FakeSlack) -> list[object]:
    """The calls the bot made to the Web API (not its answers on response_urls, which the fake also records)."""
    return [call for call in fake.calls() if call.method != "response_url"]


def single(directory: str, commands: int) -> tuple[list[float], float]:
    with FakeSlack() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=fake.bot_token,  # type: ignore[arg-type]
            slack_signing_secret=fake.signing_secret,  # type: ignore[arg-type]
            slack_api_url=fake.api_url,
            database_url=database(directory, "single"),
        )
        with EmbeddedBot(settings, clock=SystemClock()) as bot:
            driver = HttpDriver(fake, bot.events_url)
            before = len(web_api_calls(fake))
            seconds = measure(bot, lambda _: driver.slash_command("maya", "/met", "@lee coffee").elapsed, commands)
            return seconds, (len(web_api_calls(fake)) - before) / (commands + WARM_UP)


def installed(directory: str, commands: int) -> tuple[list[float], float]:
    with FakeSlackGrid([workspace(), workspace()]) as grid:
        first = next(iter(grid.fakes.values()))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_client_id=grid.client_id,
            slack_client_secret=grid.client_secret,  # type: ignore[arg-type]
            rapport_encryption_key=TokenCipher.generate_key(),  # type: ignore[arg-type]
            slack_signing_secret=first.signing_secret,  # type: ignore[arg-type]
            slack_api_url=grid.api_url,
            database_url=database(directory, "oauth"),
        )
        with EmbeddedBot(settings, clock=SystemClock()) as bot:
            grid.redirect_uri = f"{bot.base_url}/slack/oauth_redirect"
            drivers = []
            for fake in grid.fakes.values():
                grid.install(bot.base_url, fake.team_id)
                drivers.append(HttpDriver(fake, bot.events_url))
            before = len(grid.calls())
            seconds = measure(
                bot, lambda index: drivers[index % 2].slash_command("maya", "/met", "@lee coffee").elapsed, commands
            )
            return seconds, (len(grid.calls()) - before) / (commands + WARM_UP)


def report(name: str, seconds: list[float], calls: float) -> None:
    cuts = statistics.quantiles(seconds, n=100)
    latency = f"ack p50 {cuts[49] * 1000:6.1f} ms   p99 {cuts[98] * 1000:6.1f} ms"
    print(f"{name:<26} {latency}   Web API calls/command {calls:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=300)
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as directory:
        report("SLACK_BOT_TOKEN (one)", *single(directory, args.commands))
        report("OAuth installs (two)", *installed(directory, args.commands))
    print(f"load average after:  {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
