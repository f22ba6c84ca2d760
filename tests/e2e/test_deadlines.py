"""Every click and form answers within Slack's 3 s, and nothing a listener parses can break it (issue #8, §2).

Signed HTTP into the real app, Slack played by the sandbox; crafted payloads (values a client could send but our
own buttons never would) are signed and posted the way Slack posts them.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.faults import Fault
from bot.sandbox.slack.records import FakeMessage, iter_elements
from storage.models import InteractionRow
from tests.e2e.conftest import post_interactive, view_submission, wait_for

CHANNEL = "#coffee"


def crafted_click(
    fake: FakeSlack, user: str, message: FakeMessage, action_id: str, action: dict[str, Any], response_url: bool
) -> dict[str, Any]:
    """A block_actions payload for ``message`` whose action carries ``action`` (values our UI never offers)."""
    clicker = fake.user(user)
    block_id = next(b for b, element in iter_elements(message.blocks) if element.get("action_id") == action_id)
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": clicker.id, "username": clicker.handle, "team_id": fake.team_id},
        "api_app_id": fake.app_id,
        "token": fake.verification_token,
        "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel},
        "trigger_id": fake.mint_trigger(clicker.id),
        "team": {"id": fake.team_id},
        "channel": {"id": message.channel},
        "message": message.to_api(),
        "actions": [{"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}", **action}],
    }
    if response_url:
        payload["response_url"] = fake.mint_response_url(clicker.id, message.channel, "action", message.ts)
    return payload


def stored_entries(bot: EmbeddedBot, fake: FakeSlack) -> int:
    with bot.container.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(InteractionRow).where(InteractionRow.team_id == fake.team_id)
            ).scalar_one()
        )


def visible_to(fake: FakeSlack, user: str, channel: str = CHANNEL) -> list[FakeMessage]:
    """What the user sees from the bot: ephemerals in ``channel`` and the bot's DMs."""
    uid = fake.user(user).id
    return fake.messages(fake.channel_id(channel), as_user=uid) + fake.messages(uid)


def open_form(slack: HttpDriver, fake: FakeSlack, text: str) -> dict[str, Any]:
    """lee types `/met text` (the log form, or `settings`) and gets the modal."""
    assert slack.slash_command("lee", "/met", text, channel=CHANNEL).ok
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    return modal


# --- /met form: ack within 3 s whatever users.info does; stored once ---------------------------------------------


def test_slow_users_info_does_not_delay_the_form_and_a_resubmission_stores_once(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot
) -> None:
    lee, maya = fake.user("lee"), fake.user("maya")
    modal = open_form(slack, fake, "")
    fake.faults.add(Fault(method="users.info", kind="slow", delay=4.0, count=2))

    answer = slack.submit_view("lee", modal, {"people": [maya.id], "kind": "lunch", "notes": "Q3 plan"})
    assert answer.ok and not answer.body.strip() and answer.elapsed < 3.0, answer
    assert fake.views(lee.id) == [], "the modal closed: the user sees no error"
    confirmation = wait_for(lambda: visible_to(fake, "lee"), timeout=20, what="the outcome after the ack")[-1]
    assert confirmation.text == "Logged: lunch with maya, today (Wed 25 Nov)"
    assert stored_entries(bot, fake) == 1

    # The same submission again (a retry): answered at once, nothing new stored, the person told so.
    status, body, elapsed = post_interactive(bot, fake, answer.payload)
    assert (status, body.strip()) == (200, "") and elapsed < 3.0
    again = wait_for(lambda: visible_to(fake, "lee")[1:], timeout=10, what="the already-logged answer")[-1]
    assert again.text.startswith("Already logged: lunch with maya")
    assert stored_entries(bot, fake) == 1


def test_form_values_no_menu_offers_are_field_errors(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    maya = fake.user("maya")
    modal = open_form(slack, fake, "")
    state = slack.view_state(modal, {"people": [maya.id], "date": "2026-11-20"})
    state["values"]["met_follow_up"]["follow_up"]["selected_option"]["value"] = "99999999"
    state["values"]["met_date"]["date"]["selected_date"] = "0001-01-01"
    payload = view_submission(fake, "lee", modal, state=state)
    status, body, elapsed = post_interactive(bot, fake, payload)
    assert status == 200 and elapsed < 3.0
    errors = json.loads(body)["errors"]
    assert set(errors) == {"met_follow_up", "met_date"}
    assert stored_entries(bot, fake) == 0


def test_nul_and_control_characters_never_reach_the_database(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot
) -> None:
    maya = fake.user("maya")
    modal = open_form(slack, fake, "")
    assert slack.submit_view("lee", modal, {"people": [maya.id], "notes": "a\x00b\x07c\nnext\tline"}).ok
    wait_for(lambda: visible_to(fake, "lee"), timeout=10, what="the confirmation")
    with bot.container.engine.connect() as connection:
        [notes] = connection.execute(select(InteractionRow.notes).where(InteractionRow.team_id == fake.team_id))
    assert notes[0] == "abc\nnext\tline"

    before = len(visible_to(fake, "lee"))
    assert slack.slash_command("lee", "/coffee", "intro Ask me\x00 about\x1b bread", channel=CHANNEL).ok
    reply = wait_for(lambda: visible_to(fake, "lee")[before:], what="the intro reply")[-1]
    assert "Ask me about bread" in reply.text


def test_settings_form_acks_before_a_slow_users_info(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    lee = fake.user("lee")
    modal = open_form(slack, fake, "settings")
    fake.faults.add(Fault(method="users.info", kind="slow", delay=4.0, count=1))
    answer = slack.submit_view("lee", modal, {"default_follow_up": "14"})
    assert answer.ok and not answer.body.strip() and answer.elapsed < 3.0, answer
    saved = wait_for(
        lambda: [m for m in fake.messages(lee.id) if "Saved your reminder settings" in m.text], timeout=15, what="DM"
    )
    assert "after 14 days" in str(saved[-1].blocks)


# --- values parsed defensively: a friendly answer, never a hang or a 500 --------------------------------------------


def _nudge(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock) -> tuple[FakeMessage, int]:
    maya = fake.user("maya")
    assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> lunch", channel=CHANNEL).ok
    wait_for(lambda: visible_to(fake, "lee"), what="/met reply")
    clock.advance(timedelta(days=7))
    assert bot.container.services.followups.sweep(team_id=fake.team_id).sent == 1
    [dm] = [m for m in fake.messages(fake.user("lee").id) if (m.metadata or {}).get("event_type") == "rapport_nudge"]
    [nudge_id] = dm.metadata["event_payload"]["ids"]  # type: ignore[index]
    return dm, nudge_id


@pytest.mark.parametrize("response_url", [True, False], ids=["response_url", "no_response_url"])
def test_nonsense_menu_values_get_a_friendly_answer(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock, response_url: bool
) -> None:
    dm, nudge_id = _nudge(slack, fake, bot, clock)
    lee = fake.user("lee")
    for value in ("366", "100000000000000000000", "-1", "1.5", "soon"):
        before = len(fake.messages(lee.id, as_user=lee.id))
        action = {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}}}
        action["selected_option"]["value"] = value  # type: ignore[index]
        payload = crafted_click(fake, "lee", dm, f"nudge_snooze:{nudge_id}", action, response_url)
        status, _, elapsed = post_interactive(bot, fake, payload)
        assert status == 200 and elapsed < 3.0
        answer = wait_for(lambda b=before: fake.messages(lee.id, as_user=lee.id)[b:], what=f"an answer to {value}")
        assert "pick one from the menu" in answer[-1].text
    assert [label for _, label, _ in fake.message(dm.channel, dm.ts).buttons()], "the reminder is untouched"

    huge = crafted_click(fake, "lee", dm, f"nudge_snooze:{nudge_id}", {"type": "static_select"}, response_url)
    huge["actions"][0]["action_id"] = "nudge_done:99999999999999999999999"
    before = len(fake.messages(lee.id, as_user=lee.id))
    status, _, _ = post_interactive(bot, fake, huge)
    assert status == 200
    assert "out of date" in wait_for(lambda: fake.messages(lee.id, as_user=lee.id)[before:], what="answer")[-1].text


@pytest.mark.parametrize("response_url", [True, False], ids=["response_url", "no_response_url"])
def test_keep_in_touch_with_forged_values(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, response_url: bool
) -> None:
    maya = fake.user("maya")
    assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> lunch", channel=CHANNEL).ok
    [reply] = wait_for(lambda: visible_to(fake, "lee"), what="/met reply")
    for value in (f"100000|{maya.id}", f"30|{maya.id},x'); DROP", "30|", f"99999999999999999999999|{maya.id}"):
        before = len(visible_to(fake, "lee"))
        payload = crafted_click(
            fake, "lee", reply, "met_keep_in_touch_30", {"type": "button", "value": value}, response_url
        )
        status, _, elapsed = post_interactive(bot, fake, payload)
        assert status == 200 and elapsed < 3.0
        answer = wait_for(lambda b=before: visible_to(fake, "lee")[b:], what=f"an answer to {value!r}")[-1]
        assert "out of date" in answer.text
    assert bot.container.services.followups.list_cadences(fake.team_id, fake.user("lee").id) == []


# --- concurrent first use (issue #8, §5) ----------------------------------------------------------------------------


def test_fifty_concurrent_first_commands_all_store_and_confirm(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot
) -> None:
    # A brand-new workspace: no workspace row, nobody cached. Everyone's first /met names the same person, so the
    # workspace row and maya's directory row are both created by 50 requests at once.
    maya = fake.user("maya")
    people = [fake.add_user(f"first{n:02d}", channels=("coffee",)).handle for n in range(50)]
    slack.ack_timeout = 30.0  # this test counts entries; the ack latency under load is bench/ack_latency.py's job

    def first_met(handle: str) -> bool:
        return slack.slash_command(handle, "/met", f"<@{maya.id}|maya> coffee", channel=CHANNEL).ok

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert all(pool.map(first_met, people))
    confirmed = wait_for(
        lambda: (
            found
            if len(found := [h for h in people if any(m.text.startswith("Logged:") for m in visible_to(fake, h))])
            == len(people)
            else None
        ),
        timeout=60,
        what="50 confirmations",
    )
    assert len(confirmed) == 50
    assert stored_entries(bot, fake) == 50
    assert not any("went wrong" in m.text for h in people for m in visible_to(fake, h))


def test_someone_elses_ids_in_a_payload_change_nothing(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    """Signed clicks from maya carrying lee's entry and reminder ids change none of lee's data (services scope every
    write by the clicker). Only what is stored is asserted: the fake lets a crafted response_url name lee's message,
    which real Slack (binding a response_url to the clicked message) never would."""
    dm, nudge_id = _nudge(slack, fake, bot, clock)
    [logged] = [m for m in visible_to(fake, "lee") if "Logged" in m.text]
    undo_value = next(e["value"] for _, e in iter_elements(logged.blocks) if e.get("action_id") == "met_undo")
    forged_undo = crafted_click(fake, "maya", logged, "met_undo", {"type": "button", "value": undo_value}, True)
    forged_done = crafted_click(fake, "maya", dm, f"nudge_done:{nudge_id}", {"type": "button"}, True)
    for payload in (forged_undo, forged_done):
        status, _, elapsed = post_interactive(bot, fake, payload)
        assert status == 200 and elapsed < 3.0
    # Lee's own Done still works, so his reminder was still pending; its touch is the only new entry.
    own_done = crafted_click(fake, "lee", dm, f"nudge_done:{nudge_id}", {"type": "button"}, True)
    assert post_interactive(bot, fake, own_done)[0] == 200
    wait_for(lambda: stored_entries(bot, fake) == 2, what="lee's Done logging a touch")
    lee, maya = fake.user("lee").id, fake.user("maya").id
    history = bot.container.services.interactions.history(fake.team_id, lee, None)
    assert len(history.entries) == 2, "lee's entry survived maya's Undo"
    assert bot.container.services.interactions.history(fake.team_id, maya, None).entries == []
