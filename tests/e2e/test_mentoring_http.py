"""Mentoring end to end: signed HTTP into the real app, Slack played by the sandbox, the clock moved by hand.

profile → cycle → DM → request → accept → introduction → check-in → end; decline then the next suggestion;
waitlist carried to the next cycle; admin review. Sweeps are run directly after moving the ManualClock, as the
scheduler's periodic job does, restricted to the test's workspace.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.records import FakeMessage
from tests.e2e.conftest import wait_for

CHANNEL = "#general"


def replies(fake: FakeSlack, user: str) -> list[FakeMessage]:
    return fake.messages(fake.channel_id(CHANNEL), as_user=fake.user(user).id)


def mentor_cmd(slack: HttpDriver, fake: FakeSlack, user: str, text: str) -> FakeMessage:
    """Type `/mentor text` in #general and return the private reply."""
    before = len(replies(fake, user))
    assert slack.slash_command(user, "/mentor", text, channel=fake.channel_id(CHANNEL)).ok
    return wait_for(lambda: replies(fake, user)[before:], what=f"a reply to /mentor {text}")[-1]


def dms(fake: FakeSlack, user: str) -> list[FakeMessage]:
    return [m for m in fake.messages(fake.user(user).id) if m.user == fake.bot_user_id]


def dm_with(fake: FakeSlack, user: str, action_id: str) -> FakeMessage:
    return wait_for(
        lambda: [m for m in dms(fake, user) if any(b[0] == action_id for b in m.buttons())], what=f"{action_id} DM"
    )[-1]


def profile(slack: HttpDriver, fake: FakeSlack, user: str, **inputs: Any) -> Any:
    """Open the profile modal with `/mentor` and submit ``inputs``; the submission's response."""
    previous = top_view(fake, user)
    assert slack.slash_command(user, "/mentor", "", channel=fake.channel_id(CHANNEL)).ok
    view = wait_for(lambda: [v for v in fake.views(user)[-1:] if v["id"] != previous], what="the profile modal")[-1]
    assert view["callback_id"] == "mentor_profile_modal"
    values = {"switches": ["open"], "preferences": ["same_team_ok", "other_zones_ok"], **inputs}
    return slack.submit_view(user, view, values)


def top_view(fake: FakeSlack, user: str) -> str | None:
    """The id of the modal on top of the user's stack (None when none is open)."""
    stack = fake.views(user)
    return str(stack[-1]["id"]) if stack else None


def sweep(bot: EmbeddedBot, fake: FakeSlack) -> None:
    for _ in range(5):
        if not bot.container.services.mentoring.sweep(team_id=fake.team_id).claimed:
            return


def test_profile_cycle_request_accept_intro_check_in_end(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    assert "Added to the skill list" in mentor_cmd(slack, fake, "lee", "skills add negotiation, public speaking").text
    assert "Only workspace admins" in mentor_cmd(slack, fake, "arjun", "skills add chess").text

    # A typo gets "did you mean" in the form itself, and nothing is stored.
    response = profile(slack, fake, "maya", role="mentor", teaches="negotation", capacity="1")
    assert "Did you mean *negotiation*" in str(response.json()), response
    assert "no mentoring profile yet" in mentor_cmd(slack, fake, "maya", "status").text
    profile(slack, fake, "maya", role="mentor", teaches="negotiation", capacity="9")
    assert "no mentoring profile yet" in mentor_cmd(slack, fake, "maya", "status").text
    profile(slack, fake, "maya", role="mentor", teaches="negotiation", capacity="1", goals="<!channel> hi")
    wait_for(lambda: [m for m in dms(fake, "maya") if "profile is saved" in m.text], what="saved")
    profile(slack, fake, "arjun", role="mentee", learns="negotiation, public speaking", goals="close my first deal")
    profile(slack, fake, "sofia", role="mentee", learns="negotiation")
    assert "Slots: 1 of 1 free" in mentor_cmd(slack, fake, "maya", "status").text

    # lee runs a cycle now: one slot, two mentees; one suggestion, one waitlisted with the reason.
    assert "cycle is starting" in mentor_cmd(slack, fake, "lee", "match now").text
    sweep(bot, fake)
    suggested = [
        u for u in ("arjun", "sofia") if any(b[0] == "mentor_request_intro" for m in dms(fake, u) for b in m.buttons())
    ]
    [mentee] = suggested
    [waiting] = {"arjun", "sofia"} - {mentee}
    assert "#1 on the mentoring waitlist" in dms(fake, waiting)[-1].text
    suggestion = dm_with(fake, mentee, "mentor_request_intro")
    assert "teaches *negotiation*" in str(suggestion.blocks)

    # Request intro → maya gets Accept / Decline → Accept → a group DM introduces the two.
    assert slack.click(mentee, suggestion, "mentor_request_intro").ok
    request = dm_with(fake, "maya", "mentor_accept")
    assert slack.click("maya", request, "mentor_accept").ok
    group = wait_for(lambda: [c for c in fake.conversations() if c.kind == "mpim"], what="the group DM")[-1]
    intro = wait_for(lambda: fake.messages(group.id), what="the introduction")[0]
    body = str(intro.blocks)
    assert "First meeting" in body and ("A time inside both your working hours" in body or "barely overlap" in body)
    assert "<!channel>" not in body, "what maya wrote is inert"

    # Four weeks on: the check-in; End match with private feedback frees maya's slot.
    clock.advance(timedelta(weeks=4, minutes=1))
    sweep(bot, fake)
    check_in = wait_for(lambda: [m for m in fake.messages(group.id) if "still meeting" in m.text], what="check-in")[-1]
    assert [b[1] for b in check_in.buttons()] == ["Yes", "Pause", "End match", "We met"]
    assert slack.click(mentee, check_in, "mentor_end").ok
    end_view = wait_for(lambda: fake.views(mentee), what="the end modal")[-1]
    assert slack.submit_view(mentee, end_view, {"rating": "5", "note": "thank you"}).ok
    wait_for(lambda: [m for m in dms(fake, mentee) if "Match ended" in m.text], what="ended")
    assert "Slots: 1 of 1 free" in mentor_cmd(slack, fake, "maya", "status").text

    # The next cycle: the waitlisted mentee goes first; the ended pair is never suggested again.
    assert "cycle is starting" in mentor_cmd(slack, fake, "lee", "match now").text
    sweep(bot, fake)
    assert dm_with(fake, waiting, "mentor_request_intro")


def test_decline_then_the_next_suggestion_and_admin_review(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    mentor_cmd(slack, fake, "lee", "skills add negotiation")
    assert slack.slash_command("lee", "/mentor", "programme", channel=fake.channel_id(CHANNEL)).ok
    view = wait_for(lambda: fake.views("lee"), what="the programme modal")[-1]
    assert view["callback_id"] == "mentor_programme_modal"
    assert slack.submit_view("lee", view, {"review": ["review"]}).ok
    wait_for(lambda: [m for m in dms(fake, "lee") if "programme saved" in m.text], what="programme saved")
    for user in ("maya", "theo"):
        profile(slack, fake, user, role="mentor", teaches="negotiation", capacity="2")
    profile(slack, fake, "arjun", role="mentee", learns="negotiation")
    mentor_cmd(slack, fake, "lee", "match now")
    sweep(bot, fake)
    assert not [m for m in dms(fake, "arjun") if m.buttons()], "nothing reaches a mentee before the review"
    review = dm_with(fake, "lee", "mentor_publish")
    assert slack.click("lee", review, "mentor_publish").ok
    wait_for(lambda: [m for m in fake.messages(review.channel) if "Published" in m.text], what="published")
    sweep(bot, fake)
    first = dm_with(fake, "arjun", "mentor_request_intro")
    assert slack.click("arjun", first, "mentor_request_intro").ok
    asked = wait_for(
        lambda: [u for u in ("maya", "theo") if [m for m in dms(fake, u) if m.buttons()]], what="the request"
    )[0]
    request = dm_with(fake, asked, "mentor_decline")
    assert slack.click(asked, request, "mentor_decline").ok
    decline_view = wait_for(lambda: fake.views(asked), what="the decline modal")[-1]
    assert slack.submit_view(asked, decline_view, {"note": "on leave in January"}).ok
    other = ({"maya", "theo"} - {asked}).pop()
    wait_for(
        lambda: [m for m in dms(fake, "arjun") if f"<@{fake.user(other).id}>" in str(m.blocks) and m.buttons()],
        what="the next suggestion",
    )
    assert not any("on leave" in str(m.blocks) for m in dms(fake, "arjun")), "the reason stays private"


def test_an_unanswered_request_expires_and_the_mentee_is_offered_the_next(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    mentor_cmd(slack, fake, "lee", "skills add negotiation")
    for user in ("maya", "theo"):
        profile(slack, fake, user, role="mentor", teaches="negotiation", capacity="1")
    profile(slack, fake, "arjun", role="mentee", learns="negotiation")
    found = mentor_cmd(slack, fake, "arjun", "find Negotiation")
    assert [b[0] for b in found.buttons()] == ["mentor_find_request_0", "mentor_find_request_1"]
    assert "Did you mean *negotiation*" in mentor_cmd(slack, fake, "arjun", "find negociation").text
    mentor_cmd(slack, fake, "lee", "match now")
    sweep(bot, fake)
    assert slack.click("arjun", dm_with(fake, "arjun", "mentor_request_intro"), "mentor_request_intro").ok
    wait_for(lambda: [u for u in ("maya", "theo") if [m for m in dms(fake, u) if m.buttons()]], what="the request")
    clock.advance(timedelta(days=7, minutes=1))
    sweep(bot, fake)
    notice = wait_for(
        lambda: [m for m in dms(fake, "arjun") if "wasn't answered in time" in m.text], what="the expiry notice"
    )[-1]
    wait_for(
        lambda: [m for m in dms(fake, "arjun") if m.buttons() and float(m.ts) > float(notice.ts)],
        what="the next suggestion",
    )


def test_two_accepts_racing_for_the_last_slot_take_it_once(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    """Two requests wait for maya; she lowers her capacity to 1 and both Accepts arrive at once (two threads, as
    from two replicas): one introduction, and the other mentee is told and offered someone else."""
    mentor_cmd(slack, fake, "lee", "skills add negotiation")
    profile(slack, fake, "maya", role="mentor", teaches="negotiation", capacity="2")
    for user in ("arjun", "sofia"):
        profile(slack, fake, user, role="mentee", learns="negotiation")
    mentor_cmd(slack, fake, "lee", "match now")
    sweep(bot, fake)
    for user in ("arjun", "sofia"):
        assert slack.click(user, dm_with(fake, user, "mentor_request_intro"), "mentor_request_intro").ok

    def pending() -> list[FakeMessage] | None:
        found = [m for m in dms(fake, "maya") if any(b[0] == "mentor_accept" for b in m.buttons())]
        return found if len(found) == 2 else None

    requests = wait_for(pending, what="two requests")
    profile(slack, fake, "maya", role="mentor", teaches="negotiation", capacity="1")
    wait_for(lambda: [m for m in dms(fake, "maya") if "profile is saved" in m.text][1:], what="capacity 1 saved")
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda m: slack.click("maya", m, "mentor_accept").ok, requests))
    assert answers == [True, True]
    wait_for(lambda: [c for c in fake.conversations() if c.kind == "mpim"], what="one introduction")
    told = wait_for(
        lambda: [u for u in ("arjun", "sofia") if any("couldn't be accepted" in m.text for m in dms(fake, u))],
        what="the other mentee told",
    )
    assert len(told) == 1
    assert len([c for c in fake.conversations() if c.kind == "mpim"]) == 1
    assert "Slots: 0 of 1 free" in mentor_cmd(slack, fake, "maya", "status").text
