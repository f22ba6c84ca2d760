"""`/met` end to end: signed HTTP requests into the real app, Slack's side played by the sandbox."""

from __future__ import annotations

import http.client
import time
import urllib.parse
import urllib.request

import pytest

from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver, sign
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.records import FakeMessage
from tests.e2e.conftest import settle, wait_for

CHANNEL = "#coffee"


def mention(fake: FakeSlack, handle: str) -> str:
    user = fake.user(handle)
    return f"<@{user.id}|{handle}>"


def replies(fake: FakeSlack, user: str, channel: str = CHANNEL) -> list[FakeMessage]:
    return fake.messages(fake.channel_id(channel) if channel.startswith("#") else channel, as_user=fake.user(user).id)


def run_met(slack: HttpDriver, fake: FakeSlack, text: str, user: str = "lee", channel: str = CHANNEL) -> FakeMessage:
    """Type `/met text` and return the ephemeral reply it produces."""
    before = len(replies(fake, user, channel))
    response = slack.slash_command(user, "/met", text, channel=channel)
    assert response.ok, response
    assert response.elapsed < 3.0
    found = wait_for(lambda: replies(fake, user, channel)[before:], what=f"a reply to /met {text}")
    message = found[-1]
    assert message.ephemeral_to == fake.user(user).id
    return message


def test_log_one_person_today(slack: HttpDriver, fake: FakeSlack) -> None:
    reply = run_met(slack, fake, mention(fake, "maya"))
    assert reply.text == "Logged: meeting with maya, today (Wed 25 Nov)"
    assert ("met_undo", "Undo", reply.buttons()[0][2]) == reply.buttons()[0]
    others = fake.messages(fake.channel_id(CHANNEL), as_user=fake.user("maya").id)
    assert reply.ts not in {m.ts for m in others}, "the reply is visible only to its author"


def test_log_the_full_example(slack: HttpDriver, fake: FakeSlack) -> None:
    text = f"{mention(fake, 'maya')} {mention(fake, 'arjun')} yesterday lunch — talked about the Q3 launch #launch #ops"
    reply = run_met(slack, fake, text)
    assert reply.text == "Logged: lunch with maya and arjun, yesterday (Tue 24 Nov) · #launch #ops"
    assert "talked about the Q3 launch" in str(reply.blocks)


def test_raw_ids_dates_and_kinds(slack: HttpDriver, fake: FakeSlack) -> None:
    reply = run_met(slack, fake, f"{fake.user('sofia').id} on 20 Nov call")
    assert reply.text == "Logged: call with sofia, Fri 20 Nov"
    reply = run_met(slack, fake, f"{mention(fake, 'kenji')} 3 days ago coffee")
    assert reply.text == "Logged: coffee with kenji, Sun 22 Nov"


def test_list_history_and_per_person(slack: HttpDriver, fake: FakeSlack) -> None:
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text
    run_met(slack, fake, f"{mention(fake, 'maya')} yesterday coffee, roadmap ideas")
    run_met(slack, fake, f"{mention(fake, 'nora')} today call")
    everything = run_met(slack, fake, "list")
    assert everything.text == "Your last meetings (2)"
    body = str(everything.blocks)
    assert body.index("nora") < body.index("maya") and "roadmap ideas" in body
    with_maya = run_met(slack, fake, f"list {mention(fake, 'maya')}")
    assert with_maya.text == "Your meetings with maya (1)" and "nora" not in str(with_maya.blocks)
    other_user_view = run_met(slack, fake, "list", user="maya")
    assert "haven't logged any meetings" in other_user_view.text, "one person's log is private to them"


def test_undo_command_shows_what_was_removed(slack: HttpDriver, fake: FakeSlack) -> None:
    assert "nothing to undo" in run_met(slack, fake, "undo").text
    run_met(slack, fake, f"{mention(fake, 'maya')} lunch")
    undone = run_met(slack, fake, "undo")
    assert undone.text == "Removed: lunch with maya, today (Wed 25 Nov)"
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_undo_button_replaces_the_reply(slack: HttpDriver, fake: FakeSlack) -> None:
    reply = run_met(slack, fake, f"{mention(fake, 'maya')} coffee")
    assert slack.click("lee", reply, "met_undo").ok
    updated = wait_for(
        lambda: [m for m in replies(fake, "lee") if m.ts == reply.ts and m.text.startswith("Removed")],
        what="the reply replaced in place",
    )
    assert updated[0].text == "Removed: coffee with maya, today (Wed 25 Nov)"
    assert updated[0].buttons() == []
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_undo_button_after_the_entry_is_gone(slack: HttpDriver, fake: FakeSlack) -> None:
    reply = run_met(slack, fake, f"{mention(fake, 'maya')} coffee")
    run_met(slack, fake, "undo")
    slack.click("lee", reply, "met_undo")
    wait_for(
        lambda: [m for m in replies(fake, "lee") if m.ts == reply.ts and "already removed" in m.text],
        what="already-removed notice",
    )


def test_help(slack: HttpDriver, fake: FakeSlack) -> None:
    reply = run_met(slack, fake, "help")
    assert "/met @dana" in str(reply.blocks) and "/met list" in str(reply.blocks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday coffee", "Who did you meet?"),
        ("{lee}", "I can only log meetings with other people"),
        ("{rapport}", "is a bot"),
        ("{polly}", "is a bot"),
        ("{pat}", "has been deactivated"),
        ("<@U0NOBODY01|ghost>", "isn't in this workspace"),
        ("@ghost coffee", "couldn't find *@ghost*"),
        ("{maya} tomorrow", "is in the future"),
        ("{maya} 2026-12-24", "is in the future"),
        ("{maya} on 45 Nov", "isn't a real date"),
        ("{maya} in 3 days", "*in 3 days* is in the future"),
        ("{maya} next friday coffee", "*next friday* is in the future"),
        ("{maya} tomorrow morning", "*tomorrow morning* is in the future"),
        ("{maya} 0001-01-01", "is before 2000"),
        ("{maya} on 31 Dec 1999", "is before 2000"),
        ("{maya} lunch " + " ".join(f"#tag{i}" for i in range(21)), "up to 20 tags"),
        ("{maya} — " + "x" * 3001, "up to 3,000 characters"),
        ("MANY", "up to 20 people"),
    ],
)
def test_bad_input_is_explained_and_stores_nothing(
    slack: HttpDriver, fake: FakeSlack, text: str, expected: str
) -> None:
    handles = {h: mention(fake, h) for h in ("lee", "rapport", "polly", "pat", "maya")}
    if text == "MANY":
        text = " ".join(f"<@{user.id}>" for user in fake.users() if not user.is_bot)[:4000]
    text = text.format(**handles)
    reply = run_met(slack, fake, text)
    assert expected in str(reply.blocks), reply.blocks
    assert reply.text.startswith(expected.split("*")[0][:10]) or expected in reply.text
    assert "You typed: /met" in str(reply.blocks), "the user's text is echoed back so nothing is lost"
    assert "Traceback" not in str(reply.blocks)
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_modal_open_and_submit(slack: HttpDriver, fake: FakeSlack) -> None:
    assert slack.slash_command("lee", "/met", "", channel=CHANNEL).ok
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    assert modal["title"]["text"] == "Log a meeting"
    date_block = next(b for b in modal["blocks"] if b.get("block_id") == "met_date")
    assert date_block["element"]["initial_date"] == "2026-11-25"

    maya, nora = fake.user("maya").id, fake.user("nora").id
    answer = slack.submit_view(
        "lee",
        modal,
        {"people": [maya, nora], "date": "2026-11-23", "kind": "lunch", "notes": "Hiring plan", "follow_up": "3"},
    )
    assert answer.ok and not answer.body.strip(), answer.body
    assert fake.views(fake.user("lee").id) == [], "the modal closes after a valid submission"
    confirmation = wait_for(lambda: replies(fake, "lee"), what="the confirmation")[-1]
    assert confirmation.text == "Logged: lunch with maya and nora, Mon 23 Nov"
    assert "Hiring plan" in str(run_met(slack, fake, "list").blocks)


def test_modal_validation_errors_keep_the_modal_open(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("lee", "/met", "", channel=CHANNEL)
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    answer = slack.submit_view(
        "lee",
        modal,
        {"people": [fake.user("lee").id], "date": "2027-01-05", "kind": "call", "notes": "n" * 10},
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"met_people", "met_date"}
    assert "other than yourself" in body["errors"]["met_people"]
    assert len(fake.views(fake.user("lee").id)) == 1, "the modal stays open with the errors"
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_a_person_who_cannot_be_logged_is_reported_after_the_modal_closes(slack: HttpDriver, fake: FakeSlack) -> None:
    # Who someone is needs users.info, which may take longer than Slack's 3 s: the modal closes, and the
    # answer arrives as a message carrying everything the person typed.
    slack.slash_command("lee", "/met", "", channel=CHANNEL)
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    polly, pat = fake.user("polly").id, fake.user("pat").id
    answer = slack.submit_view(
        "lee", modal, {"people": [polly, pat], "date": "2026-11-24", "kind": "call", "notes": "quarterly <plan>"}
    )
    assert answer.ok and not answer.body.strip(), answer.body
    assert fake.views(fake.user("lee").id) == []
    [reply] = wait_for(lambda: replies(fake, "lee"), what="the refusal")
    assert reply.text.startswith(f"I couldn't log that because <@{polly}> is a bot")
    assert f"<@{pat}> has been deactivated" in reply.text
    assert reply.ephemeral_to == fake.user("lee").id
    shown = str(reply.blocks)
    assert "Call with" in shown and "2026-11-24" in shown and "quarterly &lt;plan&gt;" in shown
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_modal_confirmation_falls_back_to_a_dm_where_the_bot_is_not(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("lee", "/met", "", channel="#random")  # the bot is not a member of #random
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    slack.submit_view("lee", modal, {"people": [fake.user("maya").id]})
    dm = wait_for(lambda: fake.messages(fake.user("lee").id), what="a DM confirmation")
    assert dm[-1].text == "Logged: meeting with maya, today (Wed 25 Nov)"


def _raw_post(bot: EmbeddedBot, body: bytes, timestamp: str, signature: str) -> int:
    url = urllib.parse.urlsplit(bot.events_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        connection.request(
            "POST",
            url.path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_bad_signature_and_stale_timestamp_are_refused(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    lee = fake.user("lee")
    body = urllib.parse.urlencode(
        {
            "team_id": fake.team_id,
            "user_id": lee.id,
            "user_name": "lee",
            "channel_id": fake.channel_id(CHANNEL),
            "command": "/met",
            "text": mention(fake, "maya"),
            "response_url": fake.mint_response_url(lee.id, fake.channel_id(CHANNEL), "command"),
            "trigger_id": fake.mint_trigger(lee.id),
        }
    ).encode()
    now = str(int(time.time()))
    assert _raw_post(bot, body, now, sign("not-the-secret", now, body)) == 401
    stale = str(int(time.time()) - 10 * 60)
    assert _raw_post(bot, body, stale, sign(fake.signing_secret, stale, body)) == 401
    assert _raw_post(bot, body, now, "v0=garbage") == 401
    settle(bot.app, bot.container)
    assert replies(fake, "lee") == []
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_healthz(bot: EmbeddedBot) -> None:
    with urllib.request.urlopen(bot.base_url + "/healthz", timeout=5) as answer:
        assert answer.status == 200 and answer.read() == b"ok\n"


def test_notes_render_safely_from_both_the_form_and_the_command(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("lee", "/met", "", channel=CHANNEL)
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    slack.submit_view("lee", modal, {"people": [fake.user("maya").id], "notes": "<b>R&D</b> *plans*"})
    wait_for(lambda: replies(fake, "lee"), what="the confirmation")
    # Slack sends command text escaped, with mentions as <@U…|name>; a mention in notes stays a mention.
    run_met(slack, fake, f"{mention(fake, 'nora')} call — intro to {mention(fake, 'theo')} &amp; R&amp;D")
    listed = str(run_met(slack, fake, "list").blocks)
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; *plans*" in listed
    assert f"intro to {mention(fake, 'theo')} &amp; R&amp;D" in listed
    assert "<b>" not in listed


def test_notes_are_counted_as_typed_and_undashed_words_are_notes(slack: HttpDriver, fake: FakeSlack) -> None:
    # 1,000 "&" typed arrive as 5,000 characters of "&amp;": well under the 3,000 characters the person typed.
    reply = run_met(slack, fake, f"{mention(fake, 'maya')} lunch great chat " + "&amp;" * 1000)
    assert reply.text == "Logged: lunch with maya, today (Wed 25 Nov)"
    assert "great chat &amp;&amp;" in str(reply.blocks)


def test_modal_refuses_a_day_before_2000(slack: HttpDriver, fake: FakeSlack) -> None:
    slack.slash_command("lee", "/met", "", channel=CHANNEL)
    [modal] = wait_for(lambda: fake.views(fake.user("lee").id), what="the modal")
    answer = slack.submit_view("lee", modal, {"people": [fake.user("maya").id], "date": "0001-01-01"})
    body = answer.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"met_date"}
    assert "2000" in body["errors"]["met_date"]
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text
