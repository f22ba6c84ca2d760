"""Old import path of FakeSlack, kept while branches written before the split move over.

Import from ``bot.sandbox.slack`` instead (``from bot.sandbox.slack import FakeSlack``).
"""

from bot.sandbox.slack.fake import FakeSlack
from bot.sandbox.slack.state import ALL_SCOPES, AppHome

__all__ = ["ALL_SCOPES", "AppHome", "FakeSlack"]
