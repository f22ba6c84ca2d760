"""Slack's side of the bot's inbound protocols: drivers that send what Slack sends (signed HTTP or Socket Mode)."""

from bot.sandbox.client.driver import (
    Driver,
    DriverResponse,
    HttpDriver,
    SlackWouldNotDeliver,
    SocketDriver,
    element_state,
    initial_value,
    sign,
)

__all__ = [
    "Driver",
    "DriverResponse",
    "HttpDriver",
    "SlackWouldNotDeliver",
    "SocketDriver",
    "element_state",
    "initial_value",
    "sign",
]
