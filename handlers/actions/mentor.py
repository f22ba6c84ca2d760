"""Mentoring buttons: the mentee's suggestion (Request intro, Show another, Not now), a find result's Request
intro, the mentor's Accept / Decline, an admin's Publish / Drop, and the check-in (Yes, Pause, End match, We met).
Each button's value is the record it acts on; the service checks the clicker may act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.mentoring import MentoringService, Reply
from handlers import ids
from handlers.after_ack import AfterAck
from handlers.blocks import mentoring as blocks
from handlers.boundary import record_id, slack_id
from handlers.reply import answer, first_action, open_modal, team_id_of, user_id_of

_OUT_OF_DATE = Reply("That button is out of date.", ok=False)
Act = Callable[[MentoringService, str, str, int], Reply]

ACTS: dict[str, Act] = {
    ids.MENTOR_REQUEST_ACTION: lambda m, team, user, rid: m.request_intro(team, user, rid),
    ids.MENTOR_NOT_NOW_ACTION: lambda m, team, user, rid: m.not_now(team, user, rid),
    ids.MENTOR_ACCEPT_ACTION: lambda m, team, user, rid: m.accept(team, user, rid),
    ids.MENTOR_PUBLISH_ACTION: lambda m, team, user, rid: m.decide_cycle(team, user, rid, True),
    ids.MENTOR_DROP_ACTION: lambda m, team, user, rid: m.decide_cycle(team, user, rid, False),
    ids.MENTOR_YES_ACTION: lambda m, team, user, rid: m.keep_going(team, user, rid),
    ids.MENTOR_PAUSE_ACTION: lambda m, team, user, rid: m.keep_going(team, user, rid, pause=True),
    ids.MENTOR_MET_ACTION: lambda m, team, user, rid: m.we_met(team, user, rid),
    ids.MENTOR_DRAFT_ACTION: lambda m, team, user, rid: m.draft_ask(team, user, rid),
}
MODALS = {
    ids.MENTOR_DECLINE_ACTION: (ids.MENTOR_DECLINE_CALLBACK, "Decline", False),
    ids.MENTOR_END_ACTION: (ids.MENTOR_END_CALLBACK, "End match", True),
}


def _answer(respond: Respond, client: WebClient, body: dict[str, Any], reply: Reply, replace: bool) -> None:
    text, message = blocks.reply_message(reply)
    answer(respond, client, body, text, message, replace_original=replace and reply.ok)


def handle_act(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """One of ACTS: ack, then the service call after the ack (it may call Slack), and the answer in place."""
    ack()
    action = first_action(body)
    act = ACTS.get(str(action.get("action_id") or ""))
    record = record_id(action.get("value"))
    if act is None or record is None:
        _answer(respond, client, body, _OUT_OF_DATE, False)
        return
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    shared = action.get("action_id") in (  # an answer beside the message, not in its place
        ids.MENTOR_YES_ACTION,
        ids.MENTOR_PAUSE_ACTION,
        ids.MENTOR_MET_ACTION,
        ids.MENTOR_DRAFT_ACTION,
    )
    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(body, lambda: _answer(respond, client, body, act(mentoring, team_id, user_id, record), not shared))


def handle_show_another(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Show another: the suggestion is replaced by the next one (or a line when there is none)."""
    ack()
    record = record_id(first_action(body).get("value"))
    if record is None:
        _answer(respond, client, body, _OUT_OF_DATE, False)
        return
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)

    def work() -> None:
        following = mentoring.show_another(team_id, user_id, record)
        text, message = following.message or blocks.reply_message(following.reply)
        answer(respond, client, body, text, message, replace_original=following.reply.ok)

    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(body, work)


def handle_find_request(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Request intro on a `/mentor find` result (the button's value is the mentor's id)."""
    ack()
    mentor_id = slack_id(first_action(body).get("value"), "UW")
    if mentor_id is None:
        _answer(respond, client, body, _OUT_OF_DATE, False)
        return
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(
        body, lambda: _answer(respond, client, body, mentoring.request_found(team_id, user_id, mentor_id), False)
    )


def handle_reason_button(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Decline or End match: the modal with the optional private reason or feedback."""
    ack()
    action = first_action(body)
    modal = MODALS.get(str(action.get("action_id") or ""))
    record = record_id(action.get("value"))
    if modal is None or record is None:
        _answer(respond, client, body, _OUT_OF_DATE, False)
        return
    callback_id, title, rating = modal
    view = blocks.reason_modal(callback_id, record, title, rating)
    if not open_modal(client, str(body.get("trigger_id") or ""), view):
        _answer(respond, client, body, Reply("I couldn't open the form — please try again.", ok=False), False)
