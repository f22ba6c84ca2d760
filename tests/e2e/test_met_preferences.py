"""`/met settings`, `/met cadence` and keep-in-touch from a `/met` reply, end to end in the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.records import FakeMessage
from tests.e2e.conftest import wait_for

CHANNEL = "#coffee"


def replies(fake: FakeSlack, user: str = "lee") -> list[FakeMessage]:
    return fake.messages(fake.channel_id(CHANNEL), as_user=fake.user(user).id)


def run_met(slack: HttpDriver, fake: FakeSlack, text: str, user: str = "lee") -> FakeMessage:
    before = len(replies(fake, user))
    assert slack.slash_command(user, "/met", text, channel=CHANNEL).ok
    return wait_for(lambda: replies(fake, user)[before:], what=f"a reply to /met {text}")[-1]


def mention(fake: FakeSlack, handle: str) -> str:
    return f"<@{fake.user(handle).id}|{handle}>"


def test_settings_modal_shows_current_values_and_saves(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    lee = fake.user("lee")
    assert slack.slash_command("lee", "/met", "settings", channel=CHANNEL).ok
    [modal] = wait_for(lambda: fake.views(lee.id), what="the settings modal")
    assert modal["title"]["text"] == "Reminder settings"
    assert "America/New_York" in str(modal["blocks"][0])

    answer = slack.submit_view(
        "lee",
        modal,
        {
            "default_follow_up": "14",
            "work_start": "08:30",
            "work_end": "16:00",
            "work_days": ["0", "1", "2", "3"],
            "paused_until": "2026-12-07",
            "digest": [],
        },
    )
    assert answer.ok and not answer.body.strip(), answer.body
    confirmation = wait_for(lambda: fake.messages(lee.id), what="a saved confirmation DM")[-1]
    assert "Follow-up reminders: *after 14 days*" in str(confirmation.blocks)
    assert "08:30–16:00* on Mon, Tue, Wed, Thu" in str(confirmation.blocks)
    assert "Paused until *Mon 7 Dec*" in str(confirmation.blocks)

    saved = bot.container.services.followups.get_settings(fake.team_id, lee.id)
    assert (saved.default_follow_up_days, saved.work_start, saved.work_end) == (14, time(8, 30), time(16, 0))
    assert saved.work_days == frozenset({0, 1, 2, 3}) and not saved.digest_enabled
    assert saved.paused_until == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # midnight in New York

    slack.slash_command("lee", "/met", "settings", channel=CHANNEL)
    [reopened] = wait_for(lambda: fake.views(lee.id), what="the settings modal again")
    pause = next(b for b in reopened["blocks"] if b.get("block_id") == "settings_pause")
    assert pause["element"]["initial_date"] == "2026-12-07"


def test_settings_validation_errors(slack: HttpDriver, fake: FakeSlack) -> None:
    lee = fake.user("lee")
    slack.slash_command("lee", "/met", "settings", channel=CHANNEL)
    [modal] = wait_for(lambda: fake.views(lee.id), what="the settings modal")
    answer = slack.submit_view(
        "lee", modal, {"work_start": "10:00", "work_end": "10:00", "work_days": [], "paused_until": "2026-11-20"}
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"settings_end", "settings_days", "settings_pause"}
    assert len(fake.views(lee.id)) == 1


def test_log_with_every_sets_a_cadence_and_cadence_commands(slack: HttpDriver, fake: FakeSlack) -> None:
    logged = run_met(slack, fake, f"{mention(fake, 'maya')} coffee every 30d — roadmap")
    assert logged.text.startswith("Logged: coffee with maya, today")
    assert "I'll remind you to keep in touch with maya every month." in str(logged.blocks)

    listed = run_met(slack, fake, "cadence")
    assert listed.text == "Your keep-in-touch reminders (1)"
    assert "*maya* — every month · last talked 0 days ago · next reminder" in str(listed.blocks)

    changed = run_met(slack, fake, f"cadence {mention(fake, 'nora')} quarterly")
    assert changed.text == "I'll remind you to keep in touch with nora every quarter."
    assert run_met(slack, fake, "cadence").text == "Your keep-in-touch reminders (2)"

    stopped = run_met(slack, fake, f"cadence {mention(fake, 'maya')} off")
    assert stopped.text == "Stopped keep-in-touch reminders for maya."
    again = run_met(slack, fake, f"cadence {mention(fake, 'maya')} off")
    assert again.text == "You had no keep-in-touch reminder for maya."
    assert run_met(slack, fake, "cadence").text == "Your keep-in-touch reminders (1)"


def test_cadence_refuses_bots_and_bad_input(slack: HttpDriver, fake: FakeSlack) -> None:
    assert "is a bot" in str(run_met(slack, fake, f"cadence {mention(fake, 'polly')} monthly").blocks)
    assert "I didn't get how often" in str(run_met(slack, fake, f"cadence {mention(fake, 'maya')} often").blocks)
    assert "every 7 to 365 days" in str(run_met(slack, fake, f"{mention(fake, 'maya')} every 3d").blocks)
    assert run_met(slack, fake, "cadence").text == "You have no keep-in-touch reminders yet."
    assert "haven't logged any meetings" in run_met(slack, fake, "list").text


def test_keep_in_touch_buttons_on_a_met_reply(slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot) -> None:
    reply = run_met(slack, fake, f"{mention(fake, 'maya')} {mention(fake, 'nora')} lunch")
    labels = [label for _, label, _ in reply.buttons()]
    assert labels == ["Undo", "Keep in touch monthly", "Keep in touch quarterly"]
    before = len(replies(fake))
    assert slack.click("lee", reply, "met_keep_in_touch_90").ok
    confirmation = wait_for(lambda: replies(fake)[before:], what="the keep-in-touch confirmation")[-1]
    assert confirmation.text == "I'll remind you to keep in touch with maya and nora every quarter."
    cadences = bot.container.services.followups.list_cadences(fake.team_id, fake.user("lee").id)
    assert sorted((c.contact_id, c.every_days) for c in cadences) == sorted(
        [(fake.user("maya").id, 90), (fake.user("nora").id, 90)]
    )
    # The clock runs from the date of the last interaction (the lunch), not from the click.
    for cadence in cadences:
        assert cadence.last_interaction_at is not None
        assert cadence.next_due_at.date() == (cadence.last_interaction_at + timedelta(days=90)).date()
