"""Old import path of the drivers, kept while branches written before the split move over.

Import from ``bot.sandbox.client`` instead (``from bot.sandbox.client import HttpDriver``).
"""

from bot.sandbox.client.driver import Driver, DriverResponse, HttpDriver, SlackWouldNotDeliver, SocketDriver, sign

__all__ = ["Driver", "DriverResponse", "HttpDriver", "SlackWouldNotDeliver", "SocketDriver", "sign"]
