"""Block Kit for the App Home tab and the goal modal. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.coffee import CoffeeOutlook
from bot.domain.insight.effectiveness import as_percent
from bot.domain.insight.goals import RULES, GoalKind
from bot.domain.insight.reach import reach_sentence
from bot.domain.nudges import format_day
from bot.domain.zones import zone_or_utc
from bot.services.home import HomeView
from bot.services.insight import GoalReport
from handlers import ids
from handlers.blocks.common import Block, button, context, escape, option, plain, section
from handlers.blocks.nudges import nudge_actions

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home view


def _header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def _divider() -> Block:
    return {"type": "divider"}


def _quick_actions(first_run: bool) -> Block:
    elements = [
        button("Log a meeting", ids.HOME_LOG_ACTION, style="primary"),
        button("Set a goal", ids.HOME_GOAL_ACTION),
        button("Settings", ids.HOME_SETTINGS_ACTION),
    ]
    if not first_run:
        elements.append(button("My network picture", ids.HOME_MAP_ACTION))
    return {"type": "actions", "block_id": "home_actions", "elements": elements}


def _welcome() -> list[Block]:
    return [
        _header("Welcome to Rapport"),
        section(
            "Rapport keeps a private log of the people you meet at work, reminds you to follow up, and pairs you "
            "with colleagues you haven't met yet.\n\n"
            "• After a conversation, type `/met @name coffee, talked about the launch` — or press *Log a meeting*.\n"
            "• I'll nudge you a week later to follow up (change it in *Settings*).\n"
            "• Set a goal, like meeting 4 new people a month, and watch your progress here.\n\n"
            "Everything you log is visible only to you."
        ),
        _quick_actions(first_run=True),
    ]


def _goal_lines(report: GoalReport) -> str:
    goal = report.progress.goal
    line = f"*{escape(goal.sentence[0].upper() + goal.sentence[1:])}* · {report.window.label}\n{report.progress.text}"
    notes = []
    if report.progress.met:
        notes.append(":tada: met")
    elif report.progress.value is not None and not report.progress.on_pace:
        notes.append("behind pace")
    if report.streak >= 2:
        period = RULES[goal.kind].period.value
        notes.append(f":fire: {report.streak} {period}s in a row")
    return line + (f"\n{' · '.join(notes)}" if notes else "")


def _goals(view: HomeView) -> list[Block]:
    blocks: list[Block] = [_header("Your goals")]
    if not view.goals:
        blocks.append(section("No goal yet. Pick one with *Set a goal* — for example, 4 new people a month."))
    for report in view.goals:
        blocks.append(section(_goal_lines(report)))
    return blocks


def _due(view: HomeView) -> list[Block]:
    blocks: list[Block] = [_header("Follow-ups due")]
    if not view.due:
        return [*blocks, context("Nothing to follow up on right now.")]
    for nudge in view.due:
        when = format_day(nudge.due_at, view.tz)
        line = section(f"Follow up with *{escape(nudge.contact)}* (due {when})")
        line["block_id"] = f"{ids.NUDGE_TEXT_BLOCK}:{nudge.id}"
        blocks.extend([line, nudge_actions(nudge)])
    if view.more_due:
        more = f"{view.more_due}" if view.more_due_counted_all else f"{view.more_due}+"
        blocks.append(context(f"…and {more} more in your DMs with me."))
    return blocks


def _overdue(view: HomeView) -> list[Block]:
    if not view.overdue:
        return []
    lines = [
        f"• *{escape(contact.label)}* — every {contact.every_days} days, due {format_day(contact.due_at, view.tz)}"
        for contact in view.overdue
    ]
    if view.more_overdue:
        lines.append(f"…and {view.more_overdue} more (`/met cadence` lists them)")
    return [_header("Keep in touch"), section("\n".join(lines))]


def _reach(view: HomeView) -> list[Block]:
    reach = view.reach
    figures = " · ".join(
        (
            _count(reach.teams, "team"),
            _count(reach.time_zones, "time zone"),
            f"{_count(reach.new_cross_team_ties, 'new tie')} outside your team",
            f"diversity *{reach.effective_teams:.1f}*",
        )
    )
    growth = reach.growth
    trend = f"{'+' if growth > 0 else ''}{growth} team{'s' if abs(growth) != 1 else ''} against last quarter"
    sentence = f"{reach_sentence(reach)} Reach growth: {trend}."
    return [_header("Your reach this quarter"), section(figures), context(escape(sentence))]


def _count(number: int, noun: str) -> str:
    return f"*{number}* {noun}{'' if number == 1 else 's'}"


def _effectiveness(view: HomeView) -> list[Block]:
    figures = view.effectiveness
    if not figures.meetings and not figures.follow_ups_due and not figures.coffee_groups:
        return []
    lines = [
        f"• Follow-through: *{as_percent(figures.follow_through)}* of {figures.follow_ups_due} follow-ups due",
        f"• Meetings the other person also logged: *{as_percent(figures.reciprocity)}* of {figures.meetings}",
    ]
    if figures.coffee_groups:
        lines.append(
            f"• Coffee groups that led to another meeting: *{as_percent(figures.coffee_conversion)}* "
            f"of {figures.coffee_groups}"
        )
    if figures.median_days_to_follow_up is not None:
        lines.append(f"• Typical time from a meeting to its follow-up: *{figures.median_days_to_follow_up:.0f} days*")
    return [_header("How it's working (last 90 days)"), section("\n".join(lines))]


def _stamp(view: HomeView) -> str:
    return _when(view.now, view.tz)


def _when(moment: datetime, tz: str) -> str:
    return f"{format_day(moment, tz)} {moment.astimezone(zone_or_utc(tz)):%H:%M}"


def _coffee_line(view: HomeView, line: CoffeeOutlook) -> str:
    parts = [f"*<#{line.channel_id}>*"]
    if line.group_member_ids:
        others = [f"<@{member}>" for member in line.group_member_ids if member != view.user_id]
        parts.append(f"This round you're meeting {', '.join(others)} — say hi in your group DM.")
    if line.paused:
        parts.append("Rounds are paused in this channel.")
    elif line.paused_until is not None:
        parts.append(f"You've paused until {format_day(line.paused_until, view.tz)}.")
    elif line.next_round_at is not None:
        parts.append(f"Next round: {_when(line.next_round_at, view.tz)}.")
    return "\n".join(parts)


def _coffee(view: HomeView) -> list[Block]:
    if not view.coffee:
        return []
    return [_header("Coffee"), *(section(_coffee_line(view, line)) for line in view.coffee)]


def _mentoring(view: HomeView) -> list[Block]:
    summary = view.mentoring
    if summary is None:
        return []
    if not summary.has_profile:
        return [
            _header("Mentoring"),
            section("Say what you can teach or want to learn, and Rapport suggests a mentor match: type `/mentor`."),
        ]
    lines = [f"Active matches: *{summary.active}*"]
    if summary.waiting_on_me:
        lines.append(f"Requests waiting for your answer: *{summary.waiting_on_me}* (see your DMs)")
    if summary.waitlist_position is not None:
        lines.append(f"You're *#{summary.waitlist_position}* in line for the next cycle.")
    lines.append("`/mentor status` for the details, `/mentor` to change your profile.")
    return [_header("Mentoring"), section("\n".join(lines))]


def home_view(view: HomeView) -> dict[str, Any]:
    """The Home tab, inside Slack's 100-block limit whatever the history's size."""
    if view.first_run:
        blocks = _welcome()
    else:
        blocks = [
            _quick_actions(first_run=False),
            *_goals(view),
            _divider(),
            *_due(view),
            *_overdue(view),
            _divider(),
            *_coffee(view),
            *_mentoring(view),
            *_reach(view),
            *_effectiveness(view),
            context(f"Updated {_stamp(view)}. Only you can see this tab."),
        ]
    if len(blocks) > MAX_HOME_BLOCKS:
        raise ValueError(f"the Home tab needs {len(blocks)} blocks (max {MAX_HOME_BLOCKS})")
    return {"type": "home", "blocks": blocks}


def goal_modal() -> dict[str, Any]:
    """Set a goal: a kind and a number."""
    kinds = [
        option("New people a month", GoalKind.NEW_PEOPLE.value),
        option("People outside my team a quarter", GoalKind.OUTSIDE_TEAM.value),
        option("Follow up on % of meetings", GoalKind.FOLLOW_THROUGH.value),
        option("Keep in touch with my list", GoalKind.KEEP_IN_TOUCH.value),
    ]
    return {
        "type": "modal",
        "callback_id": ids.GOAL_CALLBACK,
        "title": plain("Set a goal"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.GOAL_KIND_BLOCK,
                "label": plain("Goal"),
                "element": {"type": "static_select", "action_id": ids.GOAL_KIND_ACTION, "options": kinds},
            },
            {
                "type": "input",
                "block_id": ids.GOAL_TARGET_BLOCK,
                "optional": True,
                "label": plain("How many (or what %)"),
                "hint": plain("Leave empty for “keep in touch”."),
                "element": {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "action_id": ids.GOAL_TARGET_ACTION,
                    "min_value": "1",
                    "max_value": "100",
                },
            },
        ],
    }


def goal_text_from_form(kind: str, target: str | None) -> str:
    """The modal's answer as the text `/network goal` reads, so both go through one grammar."""
    words = {
        GoalKind.NEW_PEOPLE.value: "new people",
        GoalKind.OUTSIDE_TEAM.value: "people outside my team",
        GoalKind.FOLLOW_THROUGH.value: "follow up %",
        GoalKind.KEEP_IN_TOUCH.value: "keep in touch",
    }
    return f"{target or ''} {words.get(kind, kind)}".strip()
