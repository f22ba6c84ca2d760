"""Block Kit for ``/prep @person``: an ephemeral brief. Pure functions."""

from __future__ import annotations

from bot.domain.insight.prep import PrepBrief
from bot.domain.nudges import format_day
from bot.domain.user_text import render_user_text
from handlers.blocks.common import Block, Message, context, section, truncate


def _hours(minutes: int) -> str:
    if minutes == 0:
        return "your working hours don't overlap — pick a time that suits them"
    hours, rest = divmod(minutes, 60)
    amount = f"{hours} h {rest} min" if hours and rest else (f"{hours} h" if hours else f"{rest} min")
    return f"{amount} of shared working time"


def prep_message(brief: PrepBrief) -> Message:
    """The brief: who they are and their local time, our history (my notes only), open follow-ups, an opener."""
    person = brief.person
    about = [f"*Before you meet <@{person.user_id}>*"]
    role = " · ".join(part for part in (person.title, person.department) if part)
    if role:
        about.append(render_user_text(role, escaped=False))
    about.append(f"Their time now: {brief.local_now:%a %H:%M} ({person.tz}) · {_hours(brief.shared_minutes)}")
    blocks: list[Block] = [section("\n".join(about))]
    if brief.intro:
        blocks.append(context(f":wave: _{render_user_text(brief.intro)}_"))
    blocks.append(section(_history(brief, brief.asker_tz)))
    follow = _follow_ups(brief, brief.asker_tz)
    if follow:
        blocks.append(section(follow))
    if brief.tags:
        blocks.append(context("Tags you used: " + ", ".join(f"#{tag} ×{count}" for tag, count in brief.tags)))
    blocks.append(section(f":bulb: {brief.opener}"))
    blocks.append(context("Only you can see this brief. It uses your own log and notes, never anyone else's."))
    return f"Your brief for {person.label}", blocks


def _history(brief: PrepBrief, tz: str) -> str:
    if not brief.interactions:
        return "You haven't logged a meeting with them yet."
    lines = [f"*You've met {brief.total_meetings} time{'s' if brief.total_meetings != 1 else ''}* — latest:"]
    for interaction in brief.interactions:
        line = f"• {format_day(interaction.happened_at, tz)} · {interaction.kind.value}"
        if interaction.notes:
            # The asker's own notes, stored as Slack sent them (already escaped): shown as written.
            line += " — " + truncate(" ".join(interaction.notes.split()), 300)
        lines.append(line)
    return "\n".join(lines)


def _follow_ups(brief: PrepBrief, tz: str) -> str:
    lines = []
    for nudge in brief.open_follow_ups:
        lines.append(f"• Follow-up due {format_day(nudge.due_at, tz)}")
    if brief.cadence is not None:
        lines.append(f"• Keep in touch every {brief.cadence.every_days} days")
    return "*Open with them*\n" + "\n".join(lines) if lines else ""
