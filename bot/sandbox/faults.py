"""Old import path of fault injection, kept while branches written before the split move over.

Import from ``bot.sandbox.slack.faults`` instead.
"""

from bot.sandbox.slack.faults import Fault, FaultInjector

__all__ = ["Fault", "FaultInjector"]
