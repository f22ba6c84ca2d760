"""Mentoring listeners with a fake ack/respond and a context of fakes: ack first, one service call, a reply."""

from __future__ import annotations

from typing import Any

from bot.domain.mentoring import FieldError
from bot.services.mentoring import Reply
from handlers.actions.mentor import handle_act, handle_find_request
from handlers.commands.mentor import handle_mentor
from handlers.views.mentor import handle_profile, parse_programme
from tests.fakes import FakeAck, FakeRespond, FakeService, FakeWebClient, InlineAfterAck


def command(text: str) -> dict[str, Any]:
    return {"team_id": "T1", "user_id": "U1", "text": text, "trigger_id": "1.2", "channel_id": "C1"}


def test_bad_text_is_answered_without_calling_the_service() -> None:
    ack, respond, service = FakeAck(), FakeRespond(), FakeService()
    context = {"mentoring": service, "after_ack": InlineAfterAck()}
    handle_mentor(ack, command("dance"), respond, FakeWebClient(), context)  # type: ignore[arg-type]
    assert ack.calls == [{}] and service.calls == []
    assert "I didn't understand that" in respond.texts[0]


def test_status_and_match_now_are_one_service_call_each() -> None:
    ack, respond = FakeAck(), FakeRespond()
    service = FakeService(match_now=Reply("A matching cycle is starting"))
    context = {"mentoring": service, "after_ack": InlineAfterAck()}
    handle_mentor(ack, command("match now"), respond, FakeWebClient(), context)  # type: ignore[arg-type]
    assert service.calls == [("match_now", ("T1", "U1"))]
    assert respond.texts == ["A matching cycle is starting"]


def test_profile_errors_go_back_in_the_ack_and_nothing_is_saved() -> None:
    ack = FakeAck()
    service = FakeService(check_profile=(FieldError("learns", "Did you mean *negotiation*?"),))
    body = {"team": {"id": "T1"}, "user": {"id": "U1"}}
    view = {"state": {"values": {"mentor_role": {"role": {"selected_option": {"value": "mentee"}}}}}}
    handle_profile(ack, body, view, FakeWebClient(), {"mentoring": service})  # type: ignore[arg-type]
    assert ack.calls == [{"response_action": "errors", "errors": {"mentor_learns": "Did you mean *negotiation*?"}}]
    assert [name for name, _ in service.calls] == ["check_profile"]


def test_a_button_with_a_bad_value_is_out_of_date() -> None:
    ack, respond, service = FakeAck(), FakeRespond(), FakeService()
    body = {"actions": [{"action_id": "mentor_accept", "value": "x'; drop"}], "user": {"id": "U1"}}
    context = {"mentoring": service, "after_ack": InlineAfterAck()}
    handle_act(ack, body, respond, FakeWebClient(), context)  # type: ignore[arg-type]
    handle_find_request(ack, {**body, "actions": [{"value": "not-an-id"}]}, respond, FakeWebClient(), context)  # type: ignore[arg-type]
    assert service.calls == [] and respond.texts == ["That button is out of date."] * 2


def test_programme_values_outside_the_modal_are_refused() -> None:
    assert parse_programme({"mentor_cadence": {"cadence": {"selected_option": {"value": "5"}}}}) is None
    settings = parse_programme({})
    assert settings is not None and settings.cadence_weeks == 4
