"""Block Kit for nudge DMs: one nudge or a digest, each line with Done / Snooze / Not needed (and, on follow-ups,
"Keep in touch"), and the in-place update after a click. Pure functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.nudges import (
    CADENCE_CHOICES,
    SNOOZE_CHOICES,
    CadenceInfo,
    Delivery,
    DueNudge,
    NudgeKind,
    NudgeStatus,
    WorkingHours,
    digest_text,
    format_day,
    nudge_text,
)
from handlers import ids
from handlers.blocks.common import Block, button, escape, option, plain, section
from handlers.boundary import bounded_int, record_id

MAX_BLOCKS = 50
MAX_MENU_DAYS = 365  # the longest snooze or keep-in-touch interval the services accept
MAX_NUDGES_PER_MESSAGE = (MAX_BLOCKS - 1) // 2  # a header, then a line and an actions block per nudge


def element_id(prefix: str, nudge_id: int) -> str:
    """The action_id of one nudge's element: unique within a digest."""
    return f"{prefix}:{nudge_id}"


def nudge_id_from(action: dict[str, Any]) -> int | None:
    """The nudge id an action belongs to (from its action_id suffix); None when malformed."""
    _, _, suffix = str(action.get("action_id", "")).rpartition(":")
    return record_id(suffix)


def chosen_days(action: dict[str, Any]) -> int | None:
    """The number of days picked in a Snooze / Keep in touch menu (1–365), or None for anything else."""
    selected = action.get("selected_option")
    return bounded_int(selected.get("value") if isinstance(selected, dict) else None, 1, MAX_MENU_DAYS)


def _escaped_line(nudge: DueNudge, now: datetime, hours: WorkingHours) -> str:
    # Names and the author's own notes are user text: escape them, but keep the <@U…> fallback a real mention.
    safe = DueNudge(
        id=nudge.id,
        team_id=nudge.team_id,
        user_id=nudge.user_id,
        contact_id=nudge.contact_id,
        kind=nudge.kind,
        due_at=nudge.due_at,
        contact=escape(nudge.contact) if nudge.contact else "",
        met_at=nudge.met_at,
        interaction_kind=escape(nudge.interaction_kind),
        topic=escape(nudge.topic.replace("\n", " ")),
        every_days=nudge.every_days,
    )
    return nudge_text(safe, now, hours)


def nudge_actions(nudge: DueNudge) -> Block:
    """A nudge's buttons: Done, Snooze ▾, Not needed and, on follow-ups, Keep in touch ▾ (DM and Home alike)."""
    snooze = {
        "type": "static_select",
        "action_id": element_id(ids.NUDGE_SNOOZE_ACTION, nudge.id),
        "placeholder": plain("Snooze"),
        "options": [option(_days_label(days), str(days)) for days in SNOOZE_CHOICES],
    }
    elements: list[dict[str, Any]] = [
        button("Done", element_id(ids.NUDGE_DONE_ACTION, nudge.id), str(nudge.id), style="primary"),
        snooze,
        button("Not needed", element_id(ids.NUDGE_DISMISS_ACTION, nudge.id), str(nudge.id)),
    ]
    if nudge.kind is NudgeKind.FOLLOW_UP:
        elements.append(
            {
                "type": "static_select",
                "action_id": element_id(ids.NUDGE_CADENCE_ACTION, nudge.id),
                "placeholder": plain("Keep in touch"),
                "options": [option(f"Keep in touch: {name}", str(days)) for name, days in CADENCE_CHOICES.items()],
            }
        )
    return {"type": "actions", "block_id": f"{ids.NUDGE_ACTIONS_BLOCK}:{nudge.id}", "elements": elements}


def _days_label(days: int) -> str:
    if days == 7:
        return "1 week"
    return "1 day" if days == 1 else f"{days} days"


def render_delivery(delivery: Delivery, now: datetime, hours: WorkingHours) -> tuple[str, list[Block]]:
    """The DM for a delivery: (notification text, blocks). A digest gets a header and one line + actions each."""
    text = digest_text(delivery, now, hours)
    blocks: list[Block] = []
    if delivery.is_digest:
        header = text.split("\n", 1)[0]
        blocks.append(section(f"*{escape(header)}*"))
    for nudge in delivery.nudges:
        line = section(_escaped_line(nudge, now, hours))
        line["block_id"] = f"{ids.NUDGE_TEXT_BLOCK}:{nudge.id}"
        blocks.extend([line, nudge_actions(nudge)])
    if len(blocks) > MAX_BLOCKS:
        raise ValueError(f"a digest of {len(delivery.nudges)} nudges needs {len(blocks)} blocks (max {MAX_BLOCKS})")
    return text[:3000], blocks


def outcome_line(status: NudgeStatus, contact: str, tz: str, snoozed_until: datetime | None = None) -> str:
    """What a nudge's line says after a click."""
    if status is NudgeStatus.DONE:
        return f":white_check_mark: Followed up with {contact} — logged."
    if status is NudgeStatus.SNOOZED:
        when = f" until {format_day(snoozed_until, tz)}" if snoozed_until else ""
        return f":zzz: Snoozed{when}: I'll remind you about {contact} again."
    if status is NudgeStatus.DISMISSED:
        return f":heavy_minus_sign: Not needed — no more reminders about this meeting with {contact}."
    return already_answered_line(contact)


def already_answered_line(contact: str) -> str:
    """A second click on a nudge answered before (another device, a double click)."""
    return f"This reminder about {contact} was already answered."


def cadence_line(contact: str, cadence: CadenceInfo, tz: str) -> str:
    """The confirmation after "Keep in touch"."""
    return (
        f":repeat: I'll remind you to keep in touch with {contact} every {cadence.every_days} days "
        f"(next: {format_day(cadence.next_due_at, tz)})."
    )


def with_outcome(blocks: list[Block], nudge_id: int, line: str, keep_actions: bool = False) -> list[Block]:
    """The message's blocks with one nudge's line replaced by ``line`` and (unless kept) its buttons removed."""
    text_id = f"{ids.NUDGE_TEXT_BLOCK}:{nudge_id}"
    actions_id = f"{ids.NUDGE_ACTIONS_BLOCK}:{nudge_id}"
    updated: list[Block] = []
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == text_id:
            replaced = section(line)
            replaced["block_id"] = text_id
            updated.append(replaced)
        elif block_id == actions_id and keep_actions:
            elements = [
                e
                for e in block.get("elements", [])
                if not str(e.get("action_id", "")).startswith(ids.NUDGE_CADENCE_ACTION + ":")
            ]
            updated.append({**block, "elements": elements})
        elif block_id == actions_id:
            continue
        else:
            updated.append(block)
    if not any(block.get("block_id") == text_id for block in updated):
        updated.append(section(line))
    return updated
