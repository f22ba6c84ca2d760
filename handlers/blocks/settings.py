"""Pure Block Kit builders for nudge settings and keep-in-touch replies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.domain import nudges
from bot.domain.nudges import CadenceInfo, NudgeSettings
from bot.services.preferences import SettingsForm
from handlers import ids
from handlers.blocks.common import Message, context, escape, join_names, option, plain, section

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FOLLOW_UP_DEFAULTS: tuple[tuple[str, int], ...] = (
    ("Never", 0),
    ("After 3 days", 3),
    ("After 1 week", 7),
    ("After 2 weeks", 14),
    ("After 1 month", 30),
)
DIGEST_VALUE = "digest"


def every_label(days: int) -> str:
    """'every month', 'every quarter', 'every 2 weeks', 'every 45 days'."""
    named = {7: "every week", 14: "every 2 weeks", 30: "every month", 90: "every quarter"}
    return named.get(days, f"every {days} days")


def settings_modal(settings: NudgeSettings, today: date, tz: str) -> dict[str, Any]:
    """The `/met settings` modal, filled with the person's current preferences."""
    follow_options = [option(label, str(days)) for label, days in FOLLOW_UP_DEFAULTS]
    if str(settings.default_follow_up_days) not in {o["value"] for o in follow_options}:
        follow_options.append(
            option(f"After {settings.default_follow_up_days} days", str(settings.default_follow_up_days))
        )
    day_options = [option(name, str(number)) for number, name in enumerate(WEEKDAY_NAMES)]
    digest_option = option("Bundle reminders that are due together into one message", DIGEST_VALUE)
    pause: dict[str, Any] = {"type": "datepicker", "action_id": ids.SETTINGS_PAUSE_ACTION}
    if settings.paused_until is not None:
        paused_day = settings.paused_until.astimezone(nudges.zone_or_utc(tz)).date()
        if paused_day > today:
            pause["initial_date"] = paused_day.isoformat()
    digest: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ids.SETTINGS_DIGEST_ACTION,
        "options": [digest_option],
    }
    if settings.digest_enabled:
        digest["initial_options"] = [digest_option]
    return {
        "type": "modal",
        "callback_id": ids.SETTINGS_CALLBACK,
        "title": plain("Reminder settings"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"Reminders arrive only inside your working hours, in your Slack time zone (*{escape(tz)}*)."),
            {
                "type": "input",
                "block_id": ids.SETTINGS_FOLLOW_UP_BLOCK,
                "label": plain("Remind me to follow up"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.SETTINGS_FOLLOW_UP_ACTION,
                    "options": follow_options,
                    "initial_option": next(
                        o for o in follow_options if o["value"] == str(settings.default_follow_up_days)
                    ),
                },
                "hint": plain("Used when you log a meeting without choosing. `/met … follow up in 3d` overrides it."),
            },
            {
                "type": "input",
                "block_id": ids.SETTINGS_START_BLOCK,
                "label": plain("Working hours start"),
                "element": {
                    "type": "timepicker",
                    "action_id": ids.SETTINGS_START_ACTION,
                    "initial_time": settings.work_start.strftime("%H:%M"),
                },
            },
            {
                "type": "input",
                "block_id": ids.SETTINGS_END_BLOCK,
                "label": plain("Working hours end"),
                "element": {
                    "type": "timepicker",
                    "action_id": ids.SETTINGS_END_ACTION,
                    "initial_time": settings.work_end.strftime("%H:%M"),
                },
            },
            {
                "type": "input",
                "block_id": ids.SETTINGS_DAYS_BLOCK,
                "label": plain("Working days"),
                "element": {
                    "type": "checkboxes",
                    "action_id": ids.SETTINGS_DAYS_ACTION,
                    "options": day_options,
                    "initial_options": [o for o in day_options if int(o["value"]) in settings.work_days],
                },
            },
            {
                "type": "input",
                "block_id": ids.SETTINGS_PAUSE_BLOCK,
                "label": plain("Pause all reminders until"),
                "optional": True,
                "element": pause,
                "hint": plain("Leave empty to keep reminders on. Paused reminders arrive when the pause ends."),
            },
            {
                "type": "input",
                "block_id": ids.SETTINGS_DIGEST_BLOCK,
                "label": plain("Digest"),
                "optional": True,
                "element": digest,
            },
        ],
    }


def settings_saved_message(settings: NudgeSettings, tz: str) -> Message:
    """Confirmation after saving settings."""
    days = [WEEKDAY_NAMES[d][:3] for d in sorted(settings.work_days)]
    follow = (
        "never"
        if settings.default_follow_up_days == 0
        else f"after {settings.default_follow_up_days} day{'s' if settings.default_follow_up_days != 1 else ''}"
    )
    lines = [
        f"Follow-up reminders: *{follow}*",
        f"Working hours: *{settings.work_start:%H:%M}–{settings.work_end:%H:%M}* on {', '.join(days)} ({escape(tz)})",
        f"Digest: *{'on' if settings.digest_enabled else 'off'}*",
    ]
    if settings.paused_until is not None:
        lines.append(f"Paused until *{nudges.format_day(settings.paused_until, tz)}*")
    text = "Saved your reminder settings."
    return text, [section(":gear: " + text + "\n" + "\n".join(lines))]


def cadence_set_message(labels: Mapping[str, str], contact_ids: tuple[str, ...], every_days: int) -> Message:
    """Confirmation that keep-in-touch reminders are on."""
    names = join_names([escape(labels.get(c, "")) or f"<@{c}>" for c in contact_ids])
    text = f"I'll remind you to keep in touch with {names} {every_label(every_days)}."
    return text, [
        section(f":repeat: {text}"),
        context("Any meeting you log with them resets the clock. `/met cadence` lists your reminders."),
    ]


def cadence_stopped_message(label: str, contact_id: str, stopped: bool) -> Message:
    """Reply to `/met cadence @x off`."""
    who = escape(label) if label else f"<@{contact_id}>"
    text = f"Stopped keep-in-touch reminders for {who}." if stopped else f"You had no keep-in-touch reminder for {who}."
    return text, [section(text)]


def cadence_list_message(cadences: list[CadenceInfo], labels: Mapping[str, str], now: datetime, tz: str) -> Message:
    """`/met cadence`."""
    if not cadences:
        text = "You have no keep-in-touch reminders yet."
        return text, [
            section(text + " Add one with `/met cadence @lee monthly`, or `every 30d` when you log a meeting.")
        ]
    lines = []
    for cadence in cadences:
        who = escape(labels.get(cadence.contact_id, "")) or f"<@{cadence.contact_id}>"
        if cadence.last_interaction_at is not None:
            since = nudges.days_since(cadence.last_interaction_at, now, tz)
            last = f"last talked {since} day{'s' if since != 1 else ''} ago"
        else:
            last = "no meeting logged yet"
        due = nudges.format_day(cadence.next_due_at, tz)
        lines.append(f"• *{who}* — {every_label(cadence.every_days)} · {last} · next reminder {due}")
    text = f"Your keep-in-touch reminders ({len(cadences)})"
    return text, [
        {"type": "header", "text": plain(text)},
        section("\n".join(lines)),
        context("Stop one with `/met cadence @name off`."),
    ]


def settings_not_saved_message(reason: str, form: SettingsForm) -> Message:
    """The settings could not be saved after the modal closed: why, and what the person chose."""
    days = ", ".join(WEEKDAY_NAMES[d][:3] for d in sorted(form.work_days)) or "none"
    chosen = (
        f"You chose: follow-up after {form.default_follow_up_days} days · working hours "
        f"{form.work_start:%H:%M}–{form.work_end:%H:%M} on {days} · digest {'on' if form.digest_enabled else 'off'}"
    )
    if form.pause_until_day is not None:
        chosen += f" · paused until {form.pause_until_day.isoformat()}"
    text = f"I couldn't save your reminder settings: {reason}"
    return text, [section(f":warning: {text}"), context(chosen), context("Type `/met settings` to try again.")]
