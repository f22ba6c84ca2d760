"""Pure Block Kit builders for /coffee: replies, the settings modal, status, heads-up, intros, check-ins, summary."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.coffee import (
    CADENCE_WEEKS,
    GROUP_SIZES,
    WEEKDAY_NAMES,
    CheckIn,
    OptIn,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    zone_or_utc,
)
from bot.domain.coffee_rules import Standing, standing
from bot.domain.matching import PoolMode
from bot.domain.user_text import render_user_text
from bot.services.coffee import Intro, Reply, RoundToday, SettingsForm, StatusReport
from handlers import ids
from handlers.blocks.common import Block, Message, button, context, escape, option, plain, section

HEADS_UP_BLOCK_PREFIX = "coffee_heads_up_"

CADENCE_LABELS = {1: "Every week", 2: "Every 2 weeks", 4: "Every 4 weeks"}
POOL_LABELS = {
    PoolMode.ANYONE: "Anyone",
    PoolMode.PREFER_CROSS_TEAM: "Prefer people from other teams",
    PoolMode.ONLY_CROSS_TEAM: "Only people from other teams",
    PoolMode.ONLY_WITHIN_TEAM: "Only people from the same team",
}
OPT_IN_LABELS = {OptIn.ALL_MEMBERS: "Everyone in the channel", OptIn.JOIN: "Only people who click Join"}
COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
CHECK_IN_TEXT = {
    CheckIn.MET: ":white_check_mark: You met — logged for everyone in this group.",
    CheckIn.SCHEDULED: ":calendar: Scheduled — great! I'll ask again at the end of the round only if nobody answers.",
    CheckIn.NOT_THIS_TIME: ":ok_hand: Not this time — no problem. There's always the next round.",
}


def reply_message(reply: Reply) -> Message:
    """An ephemeral answer."""
    prefix = "" if reply.ok else ":warning: "
    return reply.text, [section(prefix + reply.text)]


def round_today_message(today: RoundToday) -> Message:
    """`/coffee now` on a day with a round: say so, and offer to replace it (if not started) or add an extra one."""
    value = json.dumps({"channel": today.channel_id, "round": today.round_id})
    when = _when(today.starts_at, today.tz)
    if today.started:
        text = (
            f"Today's coffee round in <#{today.channel_id}> already started ({when}), so everyone in it has a group. "
            "An extra round now would give them a second group today."
        )
        buttons = [button("Extra round", ids.COFFEE_NOW_EXTRA_ACTION, value)]
    else:
        text = (
            f"There's already a coffee round in <#{today.channel_id}> today ({when}). Starting another now would "
            "put people in two groups on the same day. Start today's round now instead, or add an extra round?"
        )
        buttons = [
            button("Replace today's round", ids.COFFEE_NOW_REPLACE_ACTION, value, style="primary"),
            button("Extra round", ids.COFFEE_NOW_EXTRA_ACTION, value),
        ]
    return text, [section(f":warning: {text}"), {"type": "actions", "elements": buttons}]


def reply_message_text(text: str) -> Message:
    """A plain confirmation."""
    return text, [section(text)]


def help_message() -> Message:
    """`/coffee help`."""
    lines = [
        "*Coffee rounds* pair people in a channel to meet, every week or two.",
        "*In a channel:*",
        "• `/coffee` — set up (or change) coffee rounds in this channel",
        "• `/coffee status` — settings, next round and pool size",
        "• `/coffee pause` · `/coffee resume` · `/coffee stop` — for the whole channel (admins and whoever set it up)",
        "• `/coffee now` — start a round right away (admins and whoever set it up)",
        "*Just for you:*",
        "• `/coffee join` · `/coffee leave` · `/coffee skip` (the next round)",
        "• `/coffee pause until 2027-01-10` — come back on that day",
        "• `/coffee avoid @someone` — never be paired with them (private: nobody is told); "
        "`/coffee avoid` lists, `/coffee avoid @someone off` undoes",
        "• `/coffee intro Loves climbing and sourdough` — a line your groups will see",
    ]
    return "How /coffee works", [section("\n".join(lines))]


def _select(action_id: str, options: list[dict[str, Any]], initial: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options}
    for item in options:
        if item["value"] == initial:
            element["initial_option"] = item
    return element


def _input(block_id: str, label: str, element: dict[str, Any]) -> Block:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def settings_modal(form: SettingsForm) -> dict[str, Any]:
    """The channel's settings modal."""
    settings = form.settings
    zones = list(dict.fromkeys((settings.tz, *COMMON_ZONES)))
    blocks: list[Block] = [
        section(f"Coffee rounds in <#{form.channel_id}>: people are grouped and introduced in a group DM."),
        _input(
            ids.COFFEE_CADENCE_BLOCK,
            "How often",
            _select(
                ids.COFFEE_CADENCE_ACTION,
                [option(CADENCE_LABELS[w], str(w)) for w in CADENCE_WEEKS],
                str(settings.cadence_weeks),
            ),
        ),
        _input(
            ids.COFFEE_WEEKDAY_BLOCK,
            "On",
            _select(
                ids.COFFEE_WEEKDAY_ACTION,
                [option(name, str(i)) for i, name in enumerate(WEEKDAY_NAMES)],
                str(settings.weekday),
            ),
        ),
        _input(
            ids.COFFEE_TIME_BLOCK,
            "At (local time)",
            {
                "type": "timepicker",
                "action_id": ids.COFFEE_TIME_ACTION,
                "initial_time": f"{settings.local_minute // 60:02d}:{settings.local_minute % 60:02d}",
            },
        ),
        _input(
            ids.COFFEE_TZ_BLOCK,
            "Time zone of the round",
            _select(ids.COFFEE_TZ_ACTION, [option(zone, zone) for zone in zones], settings.tz),
        ),
        _input(
            ids.COFFEE_SIZE_BLOCK,
            "Group size",
            _select(
                ids.COFFEE_SIZE_ACTION,
                [option(f"{size} people", str(size)) for size in GROUP_SIZES],
                str(settings.group_size),
            ),
        ),
        _input(
            ids.COFFEE_POOL_BLOCK,
            "Who meets whom",
            _select(
                ids.COFFEE_POOL_ACTION,
                [option(label, mode.value) for mode, label in POOL_LABELS.items()],
                settings.pool_mode.value,
            ),
        ),
        _input(
            ids.COFFEE_OPT_IN_BLOCK,
            "Who takes part",
            {
                "type": "radio_buttons",
                "action_id": ids.COFFEE_OPT_IN_ACTION,
                "options": [option(label, value.value) for value, label in OPT_IN_LABELS.items()],
                "initial_option": option(OPT_IN_LABELS[settings.opt_in], settings.opt_in.value),
            },
        ),
        context("A group of 2 becomes 3 when someone would otherwise be left out. Anyone can `/coffee skip` a round."),
    ]
    return {
        "type": "modal",
        "callback_id": ids.COFFEE_SETTINGS_CALLBACK,
        "title": plain("Coffee rounds"),
        "submit": plain("Save" if form.exists else "Start rounds"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"channel_id": form.channel_id}),
        "blocks": blocks,
    }


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def describe_settings(settings: ProgramSettings) -> str:
    """'Every 2 weeks on Monday at 10:00 (Europe/Berlin) · groups of 2 · prefer other teams · everyone'."""
    return (
        f"{CADENCE_LABELS[settings.cadence_weeks]} on {WEEKDAY_NAMES[settings.weekday]} at "
        f"{settings.local_minute // 60:02d}:{settings.local_minute % 60:02d} ({settings.tz}) · "
        f"groups of {settings.group_size} · {POOL_LABELS[settings.pool_mode].lower()} · "
        f"{OPT_IN_LABELS[settings.opt_in].lower()}"
    )


STANDING_TEXT = {  # PAUSED says until when: _standing_line
    Standing.LEFT: "You've left these rounds (`/coffee join` to come back).",
    Standing.SET_ASIDE: "You were set aside after a few quiet rounds (`/coffee join` to come back).",
    Standing.SKIPPING: "You're skipping the next round.",
    Standing.NOT_JOINED: "You haven't joined yet (`/coffee join`).",
    Standing.IN: "You're in.",
}


def status_message(report: StatusReport) -> Message:
    """`/coffee status`."""
    program = report.program
    assert program is not None
    state = {
        ProgramStatus.ACTIVE: "running",
        ProgramStatus.PAUSED: "paused (`/coffee resume`)",
        ProgramStatus.STOPPED: "stopped (`/coffee` sets them up again)",
    }[program.status]
    lines = [
        f"*Coffee rounds in <#{report.channel_id}>* are {state}.",
        describe_settings(program.settings),
        f"Set up by <@{program.set_up_by}>.",
    ]
    if report.next_round is not None and program.status == ProgramStatus.ACTIVE:
        lines.append(f"Next round: *{_when(report.next_round.times.starts_at, program.settings.tz)}*.")
    lines.append(f"Pool: *{report.pool_size}* {'person' if report.pool_size == 1 else 'people'} right now.")
    lines.append(_standing_line(report, program))
    return f"Coffee rounds in #{report.channel_id}: {state}", [section("\n".join(lines))]


def _standing_line(report: StatusReport, program: Program) -> str:
    """Where the person asking stands for the next round (the rule: bot.domain.coffee_rules.standing)."""
    member = report.member
    next_round_id = report.next_round.id if report.next_round is not None else None
    you = standing(member, program.settings.opt_in, next_round_id, report.now)
    if you == Standing.PAUSED and member.paused_until is not None:
        return f"You're paused until {_when(member.paused_until, program.settings.tz).split(' at ')[0]}."
    return STANDING_TEXT[you]


class CoffeeMessages:
    """The scheduled messages (the CoffeeRenderer port)."""

    def heads_up(self, channel_id: str, round_: Round, tz: str) -> Message:
        """The DM one business day before a round."""
        local = round_.times.starts_at.astimezone(zone_or_utc(tz))
        sent_on = round_.times.heads_up_at.astimezone(zone_or_utc(tz)).date()
        day = f"{local:%a} {local.day} {local:%b}"
        when = f"tomorrow ({day})" if local.date() - sent_on == timedelta(days=1) else f"on {day}"
        text = f"Heads-up: you'll be paired in <#{channel_id}> {when}."
        tomorrow = (local + timedelta(days=1)).date()
        picker = {
            "type": "datepicker",
            "action_id": ids.COFFEE_PAUSE_UNTIL_ACTION,
            "initial_date": (tomorrow + timedelta(days=14)).isoformat(),
            "placeholder": plain("Pause until…"),
        }
        value = json.dumps({"round": round_.id, "program": round_.program_id})
        # The date picker carries no value of its own: the block id names the programme (and round).
        return text, [
            section(f":coffee: {text}\nCan't make it? Skip this one, or pause until a date (you'll be back that day)."),
            {
                "type": "actions",
                "block_id": f"{HEADS_UP_BLOCK_PREFIX}{round_.program_id}_{round_.id}",
                "elements": [button("Skip this round", ids.COFFEE_SKIP_ACTION, value), picker],
            },
        ]

    def intro(self, intro: Intro) -> Message:
        """The group DM's introduction: what people wrote about themselves is rendered inert for the group."""
        members = frozenset(p.user_id for p in intro.people)

        def profile(text: str) -> str:
            # Directory fields are plain text from users.info; the intro line is Slack markup as typed with
            # /coffee intro (escaped, mentions as <@U…|name>). Both go through the one renderer.
            return render_user_text(text, audience=members, escaped=False)

        names = [profile(p.name) for p in intro.people]
        text = f"Meet your coffee group from <#{intro.channel_name}>: " + ", ".join(names)
        people_lines = []
        for person in intro.people:
            local = intro.now.astimezone(zone_or_utc(person.tz))
            details = " · ".join(
                part for part in (profile(person.title), profile(person.team), f"{local:%H:%M} local time") if part
            )
            line = f"• <@{person.user_id}> — {details}"
            if person.intro:
                line += f"\n    _{render_user_text(person.intro, audience=members)}_"
            people_lines.append(line)
        blocks: list[Block] = [
            section(f":coffee: *Time for coffee!* You've been grouped in <#{intro.channel_name}>."),
            section("\n".join(people_lines)),
            context(f"Why you: {escape(intro.reason)}"),
            section(f"*Conversation starter:* {escape(intro.starter)}"),
        ]
        if intro.suggested_at is not None:
            times = ", ".join(
                f"{profile(p.name)} {intro.suggested_at.astimezone(zone_or_utc(p.tz)):%H:%M}" for p in intro.people
            )
            when = intro.suggested_at.astimezone(zone_or_utc(intro.people[0].tz))
            blocks.append(
                section(f"*A time that suits everyone's working hours:* {when:%a} {when.day} {when:%b} — {times}")
            )
        else:
            blocks.append(section("Your working hours barely overlap — maybe an async voice note to start?"))
        check_in = intro.check_in_at.astimezone(zone_or_utc(intro.people[0].tz))
        blocks.append(context(f"I'll check in here on {check_in:%a} {check_in.day} {check_in:%b}."))
        return text, blocks

    def not_grouped(self, channel_id: str, text: str) -> Message:
        """The DM to someone in the pool who was not grouped, saying why."""
        message = f"No coffee group for you this round in <#{channel_id}>. {text}"
        return message, [section(f":coffee: {message}")]

    def check_in(self, group_id: int, channel_id: str) -> Message:
        """Halfway through the round, in the group DM."""
        value = str(group_id)
        return "Did you meet?", [
            section(f":wave: Halfway through this round of <#{channel_id}> — did you meet?"),
            {
                "type": "actions",
                "block_id": f"coffee_check_in_{group_id}",
                "elements": [
                    button("We met", ids.COFFEE_MET_ACTION, value, style="primary"),
                    button("Scheduled", ids.COFFEE_SCHEDULED_ACTION, value),
                    button("Not this time", ids.COFFEE_NOT_THIS_TIME_ACTION, value),
                ],
            },
        ]

    def summary(self, channel_id: str, met: int, scheduled: int, groups: int) -> Message:
        """The channel summary at the end of a round."""
        text = f"{met} of {groups} {'group' if groups == 1 else 'groups'} met this round."
        extra = f" {scheduled} more scheduled a chat." if scheduled else ""
        return text, [section(f":coffee: *Coffee round wrap-up:* {text}{extra}")]

    def set_aside(self, channel_id: str) -> Message:
        """The DM after three rounds without an answer."""
        text = (
            f"You haven't answered the last few coffee rounds in <#{channel_id}>, so I've set you aside for now — "
            "no more groups until you come back. Type `/coffee join` in that channel whenever you'd like to."
        )
        return text, [section(text)]

    def channel_lost(self, channel_id: str, error: str) -> Message:
        """The organiser's DM when a round could not start because the channel is out of reach."""
        why = {
            "is_archived": "the channel was archived",
            "not_in_channel": "I'm no longer in the channel",
            "channel_not_found": "I can't see the channel any more (it was deleted, or I was removed)",
        }.get(error, f"Slack refused ({error})")
        text = (
            f"I couldn't start the coffee round in <#{channel_id}>: {why}. I've paused coffee rounds there. "
            "Add me back with `/invite @Rapport`, then type `/coffee resume` in the channel."
        )
        return text, [section(f":warning: {text}")]

    def welcome(self, channel_id: str, program: Program) -> Message:
        """The one welcome DM a newcomer to a coffee channel gets."""
        settings = program.settings
        joining = (
            "Click *Join* (or type `/coffee join` there) to take part."
            if settings.opt_in == OptIn.JOIN
            else "You're in automatically; `/coffee leave` there opts you out."
        )
        text = (
            f"Welcome to <#{channel_id}>! {CADENCE_LABELS[settings.cadence_weeks]} I group people there to meet for a "
            f"coffee. {joining} `/coffee help` shows everything else."
        )
        blocks: list[Block] = [section(f":coffee: {text}")]
        if settings.opt_in == OptIn.JOIN:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [button("Join", ids.COFFEE_JOIN_ACTION, channel_id, style="primary")],
                }
            )
        return text, blocks


def check_in_answered(group_id: int, outcome: CheckIn, user_id: str) -> Message:
    """The check-in message after an answer (replaces the buttons; "Scheduled" keeps a "We met" button)."""
    text = CHECK_IN_TEXT[outcome]
    blocks: list[Block] = [section(f"{text} (<@{user_id}> answered)")]
    if outcome == CheckIn.SCHEDULED:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("We met", ids.COFFEE_MET_ACTION, str(group_id), style="primary")],
            }
        )
    return text, blocks


def note_prompt(interaction_id: int) -> Message:
    """The ephemeral offer of a private note after "We met"."""
    text = "Logged your coffee. Want to add a private note (only you will ever see it)?"
    return text, [
        section(text),
        {"type": "actions", "elements": [button("Add a note", ids.COFFEE_NOTE_ACTION, str(interaction_id))]},
    ]


def note_modal(interaction_id: int, channel_id: str) -> dict[str, Any]:
    """The private-note modal."""
    return {
        "type": "modal",
        "callback_id": ids.COFFEE_NOTE_CALLBACK,
        "title": plain("Private note"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"interaction_id": interaction_id, "channel_id": channel_id}),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.COFFEE_NOTE_BLOCK,
                "label": plain("What did you talk about?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.COFFEE_NOTE_INPUT_ACTION,
                    "multiline": True,
                    "max_length": 3000,
                },
            },
            context("Only you can see this note (it's on your `/met list`)."),
        ],
    }


def pause_confirmation_day(day: date) -> str:
    """'Sun 10 Jan 2027'."""
    return f"{day:%a} {day.day} {day:%b %Y}"
