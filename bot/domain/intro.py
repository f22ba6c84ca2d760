"""`/intro @ana @ben why`: who is introduced to whom, and why — read from Slack's escaped command text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.user_text import typed_length

MAX_REASON = 500
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>")
USAGE = "Try `/intro @ana @ben you both work on payments` — pick both names from Slack's list."


@dataclass(frozen=True, slots=True)
class IntroRequest:
    """Two people to connect and the introducer's reason (Slack-escaped text, shown inert to them)."""

    first: str
    second: str
    reason: str


@dataclass(frozen=True, slots=True)
class IntroError:
    """Why the command can't be acted on, in words for the introducer."""

    message: str


def parse_intro(text: str, introducer: str) -> IntroRequest | IntroError:
    """Two distinct mentions (neither the introducer) and a reason; never raises."""
    mentioned = list(dict.fromkeys(_MENTION.findall(text)))
    reason = " ".join(_MENTION.sub(" ", text).split()).strip(" -—:,")
    if len(_MENTION.findall(text)) > len(mentioned) or (len(mentioned) == 1 and text.count("<@") >= 2):
        return IntroError("That's the same person twice — an introduction needs two different people.")
    if introducer in mentioned:
        return IntroError("You're already talking to yourself :) — name the two people you want to connect.")
    if len(mentioned) != 2:
        return IntroError(f"An introduction needs exactly two people. {USAGE}")
    if not reason:
        return IntroError(f"Tell them why they should meet. {USAGE}")
    if typed_length(reason) > MAX_REASON:
        return IntroError(f"Keep the reason under {MAX_REASON} characters.")
    return IntroRequest(mentioned[0], mentioned[1], reason)
