"""Old import path of the fake's records, kept while branches written before the split move over.

Import from ``bot.sandbox.slack.records`` instead.
"""

from bot.sandbox.slack.records import ApiCall, Conversation, FakeFile, FakeMessage

__all__ = ["ApiCall", "Conversation", "FakeFile", "FakeMessage"]
