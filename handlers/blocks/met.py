"""Pure Block Kit builders for `/met` replies and the log modal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.domain import dates
from bot.domain.met_grammar import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS
from bot.domain.models import Interaction, InteractionKind
from bot.domain.zones import zone_or_utc
from bot.services.interactions import MAX_PEOPLE, AuthorContext, Deleted, History, Logged
from handlers import ids
from handlers.blocks.common import Block, Message, button, context, escape, join_names, option, plain, section, truncate
from handlers.boundary import bounded_int, slack_id

KIND_LABELS: dict[InteractionKind, str] = {
    InteractionKind.COFFEE: "Coffee",
    InteractionKind.LUNCH: "Lunch",
    InteractionKind.MEETING: "Meeting",
    InteractionKind.CALL: "Call",
    InteractionKind.EVENT: "Event",
    InteractionKind.ONLINE: "Online",
    InteractionKind.OTHER: "Other",
}
FOLLOW_UP_CHOICES: tuple[tuple[str, int], ...] = (("Never", 0), ("In 3 days", 3), ("In 1 week", 7), ("In 2 weeks", 14))
DEFAULT_FOLLOW_UP_DAYS = 7


def _names(interaction: Interaction, labels: Mapping[str, str]) -> list[str]:
    return [escape(labels[u]) if u in labels else f"<@{u}>" for u in interaction.participant_ids]


def _day(interaction: Interaction, author: AuthorContext) -> date:
    return interaction.happened_at.astimezone(zone_or_utc(author.tz)).date()


def summary(interaction: Interaction, labels: Mapping[str, str], author: AuthorContext, bold: bool = True) -> str:
    """'lunch with Dana and Lee, yesterday (Tue 24 Nov) · #launch #ops'."""
    names = _names(interaction, labels)
    who = join_names([f"*{n}*" for n in names] if bold else names)
    text = f"{interaction.kind.value} with {who}, {dates.describe_day(_day(interaction, author), author.today)}"
    if interaction.tags:
        text += " · " + " ".join(f"#{escape(t)}" for t in interaction.tags)
    return text


KEEP_IN_TOUCH_CHOICES: tuple[tuple[str, int], ...] = (("Keep in touch monthly", 30), ("Keep in touch quarterly", 90))


def keep_in_touch_value(days: int, contact_ids: tuple[str, ...]) -> str:
    """Button value carrying the cadence and the people: '30|U1,U2'."""
    return f"{days}|{','.join(contact_ids)}"


def parse_keep_in_touch_value(value: str) -> tuple[int, tuple[str, ...]] | None:
    """Inverse of keep_in_touch_value; None when malformed (days outside the cadence range, odd or too many ids)."""
    raw_days, _, people = value.partition("|")
    days = bounded_int(raw_days, MIN_CADENCE_DAYS, MAX_CADENCE_DAYS)
    contact_ids = tuple(p for p in people.split(",") if p)
    if days is None or not contact_ids or len(contact_ids) > MAX_PEOPLE:
        return None
    if not all(slack_id(contact_id, "UW") for contact_id in contact_ids):
        return None
    return days, contact_ids


def logged_message(logged: Logged, cadence_line: str | None = None) -> Message:
    """The ephemeral confirmation after a successful `/met`, with Undo and keep-in-touch buttons."""
    interaction = logged.interaction
    line = summary(interaction, logged.labels, logged.author)
    blocks: list[Block] = [section(f":white_check_mark: Logged: {line}")]
    if interaction.notes:
        blocks.append(context(":memo: " + truncate(interaction.notes, 1900)))
    if cadence_line:
        blocks.append(context(f":repeat: {cadence_line}"))
    elements = [button("Undo", ids.MET_UNDO_ACTION, str(interaction.id))]
    if not cadence_line:
        elements += [
            button(
                label, f"{ids.MET_KEEP_IN_TOUCH_ACTION}_{days}", keep_in_touch_value(days, interaction.participant_ids)
            )
            for label, days in KEEP_IN_TOUCH_CHOICES
        ]
    blocks.append({"type": "actions", "block_id": f"met_logged_{interaction.id}", "elements": elements})
    blocks.append(context("Only you can see this entry and its notes."))
    return "Logged: " + summary(interaction, logged.labels, logged.author, bold=False), blocks


def undone_message(deleted: Deleted) -> Message:
    """Confirmation that an entry was removed, showing what it was."""
    line = summary(deleted.interaction, deleted.labels, deleted.author)
    blocks = [section(f":wastebasket: Removed: {line}")]
    if deleted.interaction.notes:
        blocks.append(context(":memo: " + truncate(deleted.interaction.notes, 1900)))
    return "Removed: " + summary(deleted.interaction, deleted.labels, deleted.author, bold=False), blocks


def nothing_to_undo_message() -> Message:
    """`/met undo` with an empty history."""
    text = "There's nothing to undo — you haven't logged any meetings yet."
    return text, [section(text)]


def already_gone_message() -> Message:
    """Undo clicked on an entry that no longer exists."""
    text = "That entry was already removed."
    return text, [section(f":information_source: {text}")]


def history_message(history: History) -> Message:
    """`/met list` and `/met list @dana`."""
    if history.with_user:
        known = history.with_user in history.labels
        who = escape(history.labels[history.with_user]) if known else f"<@{history.with_user}>"
        title = f"Your meetings with {history.labels[history.with_user] if known else 'them'}"
        empty = f"You haven't logged a meeting with {who} yet. After you meet, try `/met @… today coffee`."
    else:
        title = "Your last meetings"
        empty = "You haven't logged any meetings yet. After your next chat, try `/met @dana today coffee`."
    if not history.entries:
        return empty, [section(empty)]
    blocks: list[Block] = [{"type": "header", "text": plain(title[:150])}]
    for entry in history.entries:
        line = summary(entry, history.labels, history.author)
        if entry.notes:
            line += "\n>" + truncate(entry.notes, 400).replace("\n", "\n>")
        blocks.append(section(line[0].upper() + line[1:]))
    blocks.append(context("Only you can see your notes. `/met undo` removes your latest entry."))
    return f"{title} ({len(history.entries)})", blocks


HELP_TEXT = """*Rapport keeps a private log of who you meet, so following up becomes a habit.*

*Log a meeting*
• `/met @dana` — you met Dana today
• `/met @dana @lee yesterday lunch — talked about the Q3 launch #launch`
• `/met @sam friday call follow up in 3d` · `/met @kim 2026-11-20 coffee no follow-up`
• `/met` on its own opens a form

*When:* `today`, `yesterday`, `friday`, `3 days ago`, `last week`, `2026-11-20`, `on 20 Nov`
*Kinds:* coffee, lunch, meeting (default), call, event, online, other
*Notes:* whatever follows (a dash first if they start with one of the words above); `#tags` can go anywhere.

*Look back*
• `/met list` — your last 10 meetings · `/met list @dana` — your history with Dana
• `/met undo` — remove your most recent entry

*Follow up*
• `/met @lee coffee every 30d` — log it and keep in touch every 30 days (`monthly`, `quarterly` work too)
• `/met cadence` — your keep-in-touch reminders · `/met cadence @lee off` to stop one
• `/met settings` — when reminders arrive (working hours, default follow-up, pause, digest)

Everything you log, notes included, is visible only to you."""


def help_message() -> Message:
    """`/met help`."""
    return "How to use /met", [section(HELP_TEXT)]


def error_message(message: str, command_text: str | None = None, command: str = "/met") -> Message:
    """A friendly refusal that echoes what the user typed, so nothing they wrote is lost.

    Slash-command text arrives already escaped by Slack (with mentions as ``<@U…|name>``), so it is shown as-is:
    mentions render as names and nothing the user typed can inject markup.
    """
    blocks = [section(f":warning: {message}")]
    if command_text:
        blocks.append(context(f"You typed: {command} {truncate(command_text, 1900)}"))
    return message, blocks


def log_modal(today: date, channel_id: str | None = None, initial_users: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `/met` modal: people, date, kind, notes, follow-up delay."""
    people: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": ids.MET_PEOPLE_ACTION,
        "placeholder": plain("Who did you meet?"),
        "max_selected_items": 20,
    }
    if initial_users:
        people["initial_users"] = list(initial_users)
    kind_options = [option(label, kind.value) for kind, label in KIND_LABELS.items()]
    follow_options = [option(label, str(days)) for label, days in FOLLOW_UP_CHOICES]
    default_follow = next(o for o in follow_options if o["value"] == str(DEFAULT_FOLLOW_UP_DAYS))
    return {
        "type": "modal",
        "callback_id": ids.MET_LOG_CALLBACK,
        "title": plain("Log a meeting"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel_id": channel_id}) if channel_id else "",
        "blocks": [
            {"type": "input", "block_id": ids.MET_PEOPLE_BLOCK, "label": plain("People"), "element": people},
            {
                "type": "input",
                "block_id": ids.MET_DATE_BLOCK,
                "label": plain("When"),
                "element": {"type": "datepicker", "action_id": ids.MET_DATE_ACTION, "initial_date": today.isoformat()},
            },
            {
                "type": "input",
                "block_id": ids.MET_KIND_BLOCK,
                "label": plain("Kind"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.MET_KIND_ACTION,
                    "options": kind_options,
                    "initial_option": next(o for o in kind_options if o["value"] == InteractionKind.MEETING.value),
                },
            },
            {
                "type": "input",
                "block_id": ids.MET_NOTES_BLOCK,
                "label": plain("Notes"),
                "optional": True,
                "hint": plain("Private to you. What did you talk about? What did you promise?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.MET_NOTES_ACTION,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
            {
                "type": "input",
                "block_id": ids.MET_FOLLOW_UP_BLOCK,
                "label": plain("Remind me to follow up"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.MET_FOLLOW_UP_ACTION,
                    "options": follow_options,
                    "initial_option": default_follow,
                },
            },
        ],
    }


def not_logged_message(
    reason: str,
    people: tuple[str, ...],
    day: date | None,
    kind: InteractionKind,
    notes: str,
    follow_up_days: int | None,
) -> Message:
    """The form's entry could not be stored after the modal closed: why, and everything the person typed."""
    who = join_names([f"<@{user_id}>" for user_id in people]) or "nobody"
    when = day.isoformat() if day else "today"
    follow = next((label for label, days in FOLLOW_UP_CHOICES if days == follow_up_days), "your default")
    typed = f"Here is what you typed: {KIND_LABELS.get(kind, kind.value)} with {who}, {when} · follow-up: {follow}"
    blocks = [section(f":warning: I couldn't log that because {reason}"), context(typed)]
    if notes:
        # Stored-form notes are already Slack-escaped; shown back only to their author.
        blocks.append(section(truncate(f"Your notes:\n{notes}", 2900)))
    blocks.append(context("Nothing was logged. Type `/met` to try again."))
    return f"I couldn't log that because {reason}", blocks


def already_logged_message(logged: Logged) -> Message:
    """The same form was submitted again: it was logged the first time, and nothing new was stored."""
    line = summary(logged.interaction, logged.labels, logged.author)
    plain_line = summary(logged.interaction, logged.labels, logged.author, bold=False)
    return f"Already logged: {plain_line}", [section(f":white_check_mark: Already logged: {line} (nothing was added).")]
