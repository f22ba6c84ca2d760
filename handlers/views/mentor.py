"""Mentoring modals: the profile (field errors in the ack, nothing stored on error), the programme settings, a
decline's private reason and End match's private feedback."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.mentoring.profile import Preferences, ProfileDraft
from bot.domain.mentoring.programme import ProgrammeSettings
from bot.domain.mentoring.score import Preset
from bot.services.mentoring import MentoringService, Reply
from handlers import ids
from handlers.blocks import mentoring as blocks
from handlers.boundary import bounded_int, record_id
from handlers.reply import field_state, private_metadata, team_id_of, tell, user_id_of, view_values

logger = logging.getLogger(__name__)
_FAILED = Reply("Something went wrong on my side and nothing was saved — please try again.", ok=False)


def _field(values: dict[str, Any], name: str) -> dict[str, Any]:
    return field_state(values, ids.MENTOR_BLOCK_PREFIX + name, name)


def _typed(values: dict[str, Any], name: str) -> str:
    return str(_field(values, name).get("value") or "")


def _chosen(values: dict[str, Any], name: str) -> str:
    return str((_field(values, name).get("selected_option") or {}).get("value") or "")


def _ticked(values: dict[str, Any], name: str) -> set[str]:
    picked = _field(values, name).get("selected_options") or []
    return {str(o.get("value")) for o in picked if isinstance(o, dict)}


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_profile(user_id: str, values: dict[str, Any]) -> tuple[ProfileDraft, bool]:
    """The profile modal's state as a draft for the engine's check, and the warm-intro opt-in."""
    prefs, switches = _ticked(values, "preferences"), _ticked(values, "switches")
    draft = ProfileDraft(
        user_id=user_id,
        role=_chosen(values, "role"),
        teaches=_list(_typed(values, "teaches")),
        learns=_list(_typed(values, "learns")),
        tags=_list(_typed(values, "tags")),
        goals=_typed(values, "goals"),
        years=_typed(values, "years") or None,
        level=_chosen(values, "level") or None,
        capacity=_typed(values, "capacity") or None,
        hours_per_month=_typed(values, "hours_per_month") or None,
        preferences=Preferences(
            prefer_other_team="prefer_other_team" in prefs,
            same_team_ok="same_team_ok" in prefs,
            other_zones_ok="other_zones_ok" in prefs,
        ),
        open_to_matches="open" in switches,
    )
    return draft, "share_contacts" in switches


def handle_profile(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Field errors (with "did you mean …") in the ack; a valid profile is saved after it."""
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    draft, share = parse_profile(user_id, view_values(view))
    errors = mentoring.check_profile(team_id, draft)
    if errors:
        shown: dict[str, str] = {}
        for error in errors:
            shown.setdefault(ids.MENTOR_BLOCK_PREFIX + error.field, error.message)
        ack(response_action="errors", errors=shown)
        return
    ack()
    try:
        saved = mentoring.save_profile(team_id, draft, share)
        reply = Reply(saved.text) if not saved.errors else Reply(saved.errors[0].message, ok=False)
    except Exception:
        logger.exception("saving a mentoring profile failed team=%s", team_id)
        reply = _FAILED
    tell(client, None, user_id, *blocks.reply_message(reply))


def parse_programme(values: dict[str, Any]) -> ProgrammeSettings | None:
    """The programme modal's state as settings (None when a value is not one the modal offers)."""
    managers = _field(values, "managers").get("selected_users") or []
    try:
        return ProgrammeSettings(
            cadence_weeks=int(_chosen(values, "cadence") or 4),
            preset=Preset(_chosen(values, "preset") or Preset.BALANCED.value),
            review_first="review" in _ticked(values, "review"),
            managers=tuple(str(m) for m in managers if m),
            request_days=int(_chosen(values, "request_days") or 7),
        )
    except ValueError:
        return None


def handle_programme(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Save the programme's settings (the admin check calls Slack: after the ack)."""
    settings = parse_programme(view_values(view))
    if settings is None:
        ack(response_action="errors", errors={ids.MENTOR_BLOCK_PREFIX + "managers": "Name at most 10 managers."})
        return
    ack()
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    try:
        reply = mentoring.save_programme(team_id, user_id, settings)
    except Exception:
        logger.exception("saving the mentoring programme failed team=%s", team_id)
        reply = _FAILED
    tell(client, None, user_id, *blocks.reply_message(reply))


def handle_reason(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Decline with an optional private reason, or End match with optional private feedback."""
    ack()
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    match_id = record_id(private_metadata(view).get("match_id"))
    values = view_values(view)
    note = _typed(values, "note")
    if match_id is None:
        reply = Reply("That form is out of date.", ok=False)
    elif view.get("callback_id") == ids.MENTOR_DECLINE_CALLBACK:
        reply = mentoring.decline(team_id, user_id, match_id, note)
    else:
        rating = bounded_int(_chosen(values, "rating"), 1, 5)
        reply = mentoring.end_match(team_id, user_id, match_id, rating, note)
    tell(client, None, user_id, *blocks.reply_message(reply))
