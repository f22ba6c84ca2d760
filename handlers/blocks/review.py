"""Block Kit for the weekly review DM. Pure functions."""

from __future__ import annotations

from bot.domain.insight.review import ReviewContent
from handlers.blocks.common import Message, context, escape, section


def review_message(content: ReviewContent) -> Message:
    """The review: what happened, then one suggestion; how to change or stop it."""
    lines = "\n".join(f"• {escape(line)}" for line in content.lines)
    blocks = [section("*Your week in networking*" + (f"\n{lines}" if lines else ""))]
    blocks.append(section(f":bulb: {escape(content.suggestion)}"))
    blocks.append(context("Only you get this. `/network review friday` moves it, `/network review off` stops it."))
    return "Your week in networking", blocks
