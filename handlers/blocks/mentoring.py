"""Pure Block Kit for mentoring: the profile and programme modals, the DMs (suggestion, waitlist, request,
review, introduction, check-in) and the command replies. What one person wrote and another sees (goals, skill
names, tags, the "why") goes through ``render_user_text``, so it can ping nobody."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.mentoring.profile import Level, MentoringProfile, Role
from bot.domain.mentoring.programme import (
    CADENCES,
    Cycle,
    Match,
    ProgrammeSettings,
    StoredProfile,
    first_meeting_agenda,
)
from bot.domain.mentoring.score import Preset
from bot.domain.user_text import render_user_text
from bot.services.mentoring import Found, ProfileForm, Reply, Status
from handlers import ids
from handlers.blocks.common import Block, Message, button, context, option, plain, section

ROLE_LABELS = {Role.MENTEE: "Mentee — I'd like a mentor", Role.MENTOR: "Mentor — I can mentor", Role.BOTH: "Both"}
PRESET_LABELS = {
    Preset.BALANCED: "Balanced",
    Preset.SKILLS_FIRST: "Skills first",
    Preset.CROSS_TEAM: "Across teams",
    Preset.TIME_ZONES: "Shared working hours",
}
CADENCE_LABELS = {2: "Every two weeks", 4: "Monthly", 8: "Every two months", 12: "Quarterly"}
PREFERENCES = (
    ("prefer_other_team", "I'd prefer someone from another team"),
    ("same_team_ok", "Someone from my own team is fine"),
    ("other_zones_ok", "Other time zones are fine"),
)
SWITCHES = (
    ("open", "Open to matches now"),
    ("share_contacts", "Rapport may mention that I know someone — never notes or dates"),
)


def inert(text: str, audience: Sequence[str] = ()) -> str:
    """What someone wrote, safe to show to others."""
    return render_user_text(text, audience=audience, escaped=False)


def _block(field: str) -> str:
    return ids.MENTOR_BLOCK_PREFIX + field


def _input(field: str, label: str, element: dict[str, Any], optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": _block(field),
        "label": plain(label),
        "element": {**element, "action_id": field},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _text(initial: str = "", multiline: bool = False, placeholder: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _select(options: list[dict[str, Any]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _checkboxes(choices: Sequence[tuple[str, str]], on: set[str]) -> dict[str, Any]:
    options = [option(label, value) for value, label in choices]
    element: dict[str, Any] = {"type": "checkboxes", "options": options}
    initial = [o for o in options if o["value"] in on]
    if initial:
        element["initial_options"] = initial
    return element


def profile_modal(form: ProfileForm) -> dict[str, Any]:
    """The profile form, filled with what is saved."""
    p = form.stored.profile if form.stored else MentoringProfile("", Role.MENTEE)
    share = bool(form.stored and form.stored.share_contacts)
    prefs = {name for name, _ in PREFERENCES if getattr(p.preferences, name)}
    switches = {"open"} if p.open_to_matches else set()
    if share:
        switches.add("share_contacts")
    listed = ", ".join(form.skills) if form.skills else "none yet — ask an admin to add some"
    blocks: list[Block] = [
        section("Tell Rapport what you can teach and what you'd like to learn; matches come once a cycle."),
        context(f"Workspace skills: {inert(listed)}"),
        _input(
            "role", "I'm taking part as", _select([option(v, k.value) for k, v in ROLE_LABELS.items()], p.role.value)
        ),
        _input("teaches", "I can teach", _text(", ".join(p.teaches)), True, "Skills from the list, comma-separated"),
        _input("learns", "I want to learn", _text(", ".join(p.learns)), True, "Most important first, comma-separated"),
        _input("tags", "Other interests (free tags)", _text(", ".join(p.tags)), True),
        _input("goals", "Goals", _text(p.goals, multiline=True), True),
        _input("years", "Years of experience", _text(f"{p.experience.years:g}" if p.experience.years else ""), True),
        _input(
            "level",
            "…or a level",
            _select([option(level.value.capitalize(), level.value) for level in Level], p.experience.level),
            True,
        ),
        _input("capacity", "Mentees at once (mentors, 1–5)", _text(str(p.capacity) if p.capacity else ""), True),
        _input("hours_per_month", "Hours a month", _text(str(p.hours_per_month) if p.hours_per_month else ""), True),
        _input("preferences", "Preferences", _checkboxes(PREFERENCES, prefs), True),
        _input("switches", "Matching", _checkboxes(SWITCHES, switches), True),
    ]
    return {
        "type": "modal",
        "callback_id": ids.MENTOR_PROFILE_CALLBACK,
        "title": plain("Mentoring profile"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def programme_modal(settings: ProgrammeSettings) -> dict[str, Any]:
    """The programme's settings."""
    blocks: list[Block] = [
        _input(
            "cadence",
            "Matching cycle",
            _select([option(CADENCE_LABELS[w], str(w)) for w in CADENCES], str(settings.cadence_weeks)),
        ),
        _input(
            "preset",
            "What matters most",
            _select([option(label, preset.value) for preset, label in PRESET_LABELS.items()], settings.preset.value),
        ),
        _input(
            "request_days",
            "Requests expire after",
            _select([option(f"{d} days", str(d)) for d in (3, 5, 7, 14)], str(settings.request_days)),
        ),
        _input(
            "review",
            "Review",
            _checkboxes(
                (("review", "Review the proposed matches before anything is sent"),),
                {"review"} if settings.review_first else set(),
            ),
            True,
        ),
        _input(
            "managers",
            "Programme managers",
            {"type": "multi_users_select", **({"initial_users": list(settings.managers)} if settings.managers else {})},
            True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.MENTOR_PROGRAMME_CALLBACK,
        "title": plain("Mentoring programme"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def reason_modal(callback_id: str, match_id: int, title: str, ask_rating: bool) -> dict[str, Any]:
    """Decline's optional private reason, or End match's optional 1–5 and note."""
    blocks: list[Block] = [context("Private: the other person never sees this; admins only see averages.")]
    if ask_rating:
        blocks.append(
            _input("rating", "How was it? (1–5)", _select([option(str(r), str(r)) for r in range(1, 6)], None), True)
        )
    blocks.append(_input("note", "A note (optional)", _text(multiline=True), True))
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps({"match_id": match_id}),
        "title": plain(title),
        "submit": plain("Done"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def _actions(*elements: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def _skills(skills: Sequence[str]) -> str:
    return ", ".join(f"*{inert(s)}*" for s in skills) or "—"


class MentoringMessages:
    """The DMs mentoring sends (bot.services.ports.mentoring.MentoringRenderer)."""

    def suggestion(self, match: Match, mentor: str, warm: str | None, via: str | None) -> Message:
        """The mentee's suggestion with Request intro · Show another · Not now (and Draft the ask when a shared
        contact who opted in could introduce them)."""
        value = str(match.id)
        ask = [button("Draft the ask", ids.MENTOR_DRAFT_ACTION, value)] if via else []
        blocks = [
            section(f"*A mentor for you:* <@{match.mentor_id}>\nWhy: {inert(match.why)}"),
            *([context(inert(warm))] if warm else []),
            _actions(
                button("Request intro", ids.MENTOR_REQUEST_ACTION, value, "primary"),
                button("Show another", ids.MENTOR_ANOTHER_ACTION, value),
                button("Not now", ids.MENTOR_NOT_NOW_ACTION, value),
                *ask,
            ),
        ]
        return f"A mentor suggestion for you: {inert(mentor)}", blocks

    def waitlisted(self, text: str, position: int) -> Message:
        """Why no mentor this cycle, and the waitlist place."""
        line = f"{inert(text)}\nYou're #{position} on the mentoring waitlist."
        return line, [section(line)]

    def request(self, match: Match, mentee: MentoringProfile) -> Message:
        """The mentor's request with Accept · Decline."""
        value = str(match.id)
        lines = [
            f"<@{match.mentee_id}> would like you as their mentor.",
            f"Wants to learn: {_skills(mentee.learns)}",
            *([f"Goals: {inert(mentee.goals)}"] if mentee.goals else []),
            f"Why you: {inert(match.why)}",
        ]
        blocks = [
            section("\n".join(lines)),
            _actions(
                button("Accept", ids.MENTOR_ACCEPT_ACTION, value, "primary"),
                button("Decline", ids.MENTOR_DECLINE_ACTION, value),
            ),
        ]
        return "Someone would like you as their mentor", blocks

    def review(self, cycle: Cycle, rows: Sequence[Match]) -> Message:
        """The proposed cycle for an admin, with Publish · Drop."""
        pairs = [r for r in rows if r.mentor_id]
        waiting = [r for r in rows if not r.mentor_id]
        lines = [f"• <@{r.mentee_id}> ← <@{r.mentor_id}>: {inert(r.why)}" for r in pairs[:40]]
        if len(pairs) > 40:
            lines.append(f"…and {len(pairs) - 40} more")
        text = f"Mentoring cycle {cycle.id}: {len(pairs)} suggested, {len(waiting)} waitlisted."
        value = str(cycle.id)
        blocks = [
            section(f"*{text}*"),
            *([section("\n".join(lines))] if lines else []),
            _actions(
                button("Publish", ids.MENTOR_PUBLISH_ACTION, value, "primary"),
                button("Drop", ids.MENTOR_DROP_ACTION, value, "danger"),
            ),
        ]
        return text, blocks

    def introduction(
        self, match: Match, mentee: MentoringProfile, mentor: MentoringProfile, when: datetime | None
    ) -> Message:
        """The group DM: both profiles, goals, a first-meeting agenda and a time inside both working hours."""
        pair = (match.mentee_id, match.mentor_id)
        agenda = "\n".join(f"{i}. {item}" for i, item in enumerate(first_meeting_agenda(mentee.goals), 1))
        lines = [
            f"<@{match.mentor_id}>, meet <@{match.mentee_id}> — your new mentee. :wave:",
            f"*<@{match.mentor_id}>* teaches {_skills(mentor.teaches)}",
            f"*<@{match.mentee_id}>* wants to learn {_skills(mentee.learns)}",
            *([f"Goals: {inert(mentee.goals, pair)}"] if mentee.goals else []),
            f"Why you two: {inert(match.why, pair)}",
        ]
        if when is not None:
            shown = f"<!date^{int(when.timestamp())}^{{date_short_pretty}} at {{time}}|{when:%Y-%m-%d %H:%M} UTC>"
            lines.append(f"A time inside both your working hours: {shown}")
        else:
            lines.append("Your working hours barely overlap — pick a time early or late that suits you both.")
        blocks = [
            section("\n".join(lines)),
            section(f"*First meeting*\n{agenda}"),
            context("I'll check in every four weeks."),
        ]
        return "Meet your mentoring match", blocks

    def check_in(self, match: Match) -> Message:
        """ "Still meeting?" with Yes · Pause · End match · We met."""
        value = str(match.id)
        blocks = [
            section(f"Still meeting, <@{match.mentee_id}> and <@{match.mentor_id}>?"),
            _actions(
                button("Yes", ids.MENTOR_YES_ACTION, value, "primary"),
                button("Pause", ids.MENTOR_PAUSE_ACTION, value),
                button("End match", ids.MENTOR_END_ACTION, value),
                button("We met", ids.MENTOR_MET_ACTION, value),
            ),
        ]
        return "Mentoring check-in: still meeting?", blocks

    def notice(self, text: str) -> Message:
        """A one-line DM."""
        return text, [section(text)]


def reply_message(reply: Reply) -> Message:
    """A one-line answer to the person who acted."""
    return reply.text, [section(reply.text)]


def status_message(status: Status, user_id: str) -> Message:
    """`/mentor status`."""
    stored: StoredProfile | None = status.stored
    if stored is None:
        text = "You have no mentoring profile yet — `/mentor` opens the form."
        return text, [section(text)]
    p = stored.profile
    lines = [
        f"*Mentoring* — {ROLE_LABELS[p.role]}, {'open to matches' if p.open_to_matches else 'not open to matches'}"
    ]
    if p.role.mentors:
        lines.append(f"Slots: {stored.free_slots} of {p.capacity} free")
    for m in status.matches:
        other = m.mentor_id if m.mentee_id == user_id else m.mentee_id
        lines.append(f"• {'Mentor' if m.mentee_id == user_id else 'Mentee'}: <@{other}> ({m.status.value})")
    for m in status.requests:
        mine = m.mentee_id == user_id
        lines.append(f"• Request {'to' if mine else 'from'} <@{m.mentor_id if mine else m.mentee_id}>, pending")
    if status.waitlist_position is not None:
        lines.append(f"You're #{status.waitlist_position} on the waitlist.")
    if status.next_cycle is not None:
        lines.append(f"Next matching cycle: {status.next_cycle:%Y-%m-%d}")
    text = "\n".join(lines)
    return text, [section(text)]


def found_message(found: Found) -> Message:
    """`/mentor find`: mentors with a free slot who teach the skill, each with Request intro."""
    if not found.matches:
        text = f"No mentor with a free slot teaches *{inert(found.skill)}* right now."
        return text, [section(text)]
    blocks: list[Block] = [section(f"*Mentors teaching {inert(found.skill)}* (best fit first)")]
    for index, m in enumerate(found.matches):
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"<@{m.mentor_id}> — {inert(m.why)}"},
                "accessory": button("Request intro", f"{ids.MENTOR_FIND_REQUEST_ACTION}_{index}", m.mentor_id),
            }
        )
    return f"Mentors teaching {inert(found.skill)}", blocks


def skills_message(skills: Sequence[str]) -> Message:
    """The workspace skill list."""
    text = "Workspace skills: " + (", ".join(f"*{inert(s)}*" for s in skills) if skills else "none yet.")
    return text, [section(text)]


def help_message(usage: str) -> Message:
    """`/mentor help`."""
    text = f"*Mentoring*\n{usage}"
    return text, [section(text)]
