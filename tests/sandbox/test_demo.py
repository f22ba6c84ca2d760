"""`rapport demo`: the sandbox workspace and the real bot driven by a script (a real subprocess, and in-process)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox.demo.parsing import DemoError, describe_duration, match_option, parse_duration
from bot.sandbox.demo.render import Screen
from bot.sandbox.demo.session import DemoSession
from bot.sandbox.demo.shell import DemoShell, main, run_script

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "demo.txt"

BRIEF_SCRIPT = """\
/met help
/met @maya yesterday coffee — Q3 launch #launch
click 1
/met list
as maya
/met list
wait 7d
quit
"""


def run_demo(script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--script", "-", *extra],
        input=script,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_script_through_the_real_command() -> None:
    result = run_demo(BRIEF_SCRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert result.stderr == "", "logging goes to the demo's log file, not the terminal"
    assert "You are @lee (Lee Park, Engineering Manager); your time: Mon 30 Nov 2026, 09:00" in out
    assert "lee> /met help\n  ┌ #general · Rapport · only visible to you\n" in out
    assert "/met list` — your last 10 meetings" in out
    logged = "│ ✅ Logged: coffee with maya, yesterday (Sun 29 Nov) · #launch\n  │   📝 Q3 launch"
    assert logged in out
    assert "  │ [1] Undo" in out
    assert "lee> click 1\n  ┌ #general · Rapport · only visible to you · updated\n" in out
    assert "│ 🗑️ Removed: coffee with maya, yesterday (Sun 29 Nov) · #launch" in out
    assert out.count("You haven't logged any meetings yet.") == 2, "lee's list is empty after undo; maya's is hers"
    assert "lee> as maya\n  You are now @maya (Maya Chen, Staff Engineer, Engineering).\n" in out
    assert "maya> wait 7d\n  ⏩ 7 days later: Mon 7 Dec 2026, 06:00 (America/Los_Angeles)\n" in out
    assert "home" not in out.lower(), "there is no Home tab yet, so the demo does not offer one"
    assert out.rstrip().endswith("maya> quit")


def test_a_failing_command_sets_the_exit_code_and_the_start_option_moves_the_clock() -> None:
    out = io.StringIO()
    assert run_script(["whoami", "click 3"], out, user="nora", start="2026-12-01T10:30") == 1
    assert "nora> whoami\n  @nora — Nora Lindqvist, Product Designer (Design)\n" in out.getvalue()
    assert "Local time: Tue 1 Dec 2026, 10:30 (Europe/Berlin); typing in #general." in out.getvalue()
    assert "nora> click 3\n⚠ there is nothing to click on the screen" in out.getvalue()


def test_unknown_or_deactivated_member_is_refused_up_front() -> None:
    out = io.StringIO()
    assert main(script="-", user="pat", out=out) == 2
    assert "pat is deactivated" in out.getvalue()
    assert main(script="no-such-file.txt", out=out) == 2
    assert "cannot read no-such-file.txt" in out.getvalue()


@pytest.fixture(scope="module")
def example_transcript() -> str:
    out = io.StringIO()
    with EXAMPLE.open(encoding="utf-8") as script:
        assert run_script(script, out) == 0, out.getvalue()
    return out.getvalue()


def test_example_script_shows_the_product(example_transcript: str) -> None:
    out = example_transcript
    assert "lee> /met @maya @nora yesterday lunch — hiring plan #hiring\n" in out
    assert "Logged: lunch with maya and nora, yesterday (Sun 29 Nov) · #hiring" in out
    assert "│ Your last meetings\n" in out
    assert "⏩ 7 days later: Mon 7 Dec 2026, 09:00 (America/New_York)" in out
    assert "┌ Thu 3 Dec 2026, 09:00 · DM with Rapport · Rapport\n  │ You met arjun 3 days ago (call). Follow up?" in out
    assert "lee> click 8 1 week\n  ┌ DM with Rapport · Rapport · updated\n  │ 💤 Snoozed until" in out
    assert "┌─ Log a meeting" in out and "← people=…" in out
    assert "maya> submit people=@lee kind=coffee" in out
    assert "Logged: coffee with lee, today (Mon 7 Dec)" in out and "📝 Pairing on the release" in out
    back = out[out.index("lee> wait 8d") :]
    assert "┌ Mon 14 Dec 2026, 09:00 · DM with Rapport · Rapport\n  │ You met arjun 14 days ago (call)." in back
    assert "Also new for others: @maya (" in back, "maya's nudge about lee came at 09:00 her time"


STABLE_NUMBERS = """\
/met @maya @nora yesterday lunch
wait 7d
click 4
click 9 3 days
click 99
click 4
quit
"""


def test_numbers_stay_with_their_buttons_until_inbox() -> None:
    out = io.StringIO()
    assert run_script(STABLE_NUMBERS.splitlines(), out) == 1, "click 99 and the vanished [4] fail"
    text = out.getvalue()
    assert "│ [4] Done" in text and "│ [9] Snooze" in text, "the digest's buttons follow the /met reply's [1]-[3]"
    after_done = text[text.index("lee> click 4\n") : text.index("lee> click 9 3 days")]
    assert "Followed up with @maya" in after_done and "│ [9] Snooze" in after_done, "nora's buttons kept theirs"
    after_snooze = text[text.index("lee> click 9 3 days") : text.index("lee> click 99")]
    assert "Snoozed until" in after_snooze, "[9] still meant nora's Snooze after [4] changed the message"
    assert "⚠ there is no [99]: the buttons on screen are numbered" in text
    assert "⚠ [4] is gone: its message or form changed" in text


def test_example_transcript_is_deterministic(example_transcript: str) -> None:
    again = io.StringIO()
    with EXAMPLE.open(encoding="utf-8") as script:
        run_script(script, again)
    assert again.getvalue() == example_transcript


@pytest.fixture(scope="module")
def shell() -> DemoShell:
    with DemoSession(io.StringIO()) as opened:
        yield DemoShell(opened)  # type: ignore[misc]


@pytest.fixture
def session(shell: DemoShell) -> DemoSession:
    return shell.session


def test_command_text_is_escaped_like_slack_does(session: DemoSession) -> None:
    maya = session.seed.user("maya").id
    typed = session.escape_command_text("@maya & @ghost <b> in #coffee #launch #leadership @here")
    assert (
        typed
        == f"<@{maya}|maya> &amp; @ghost &lt;b&gt; in <#C0RPTCOFFE|coffee> #launch <#C0RPTLEADS|leadership> <!here>"
    )
    session.switch_user("maya")
    assert "#leadership" in session.escape_command_text("#leadership"), "a private channel she is not in stays text"
    session.switch_user("lee")


def test_forms_validate_and_errors_render_names(shell: DemoShell, session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    assert shell.execute("/met")
    start = len(out.getvalue())
    # Only what the payload alone shows is a field error (people checks with Slack come after the form closes).
    assert not shell.execute("submit people=@lee")
    shown = out.getvalue()[start:]
    assert "⚠ People: Pick at least one person other than yourself" in shown and "(the form stays open" in shown
    assert not shell.execute("submit colour=blue")
    assert "the form has no field 'colour'" in out.getvalue()
    assert shell.execute("cancel")
    assert out.getvalue().rstrip().endswith("(the form closed)")
    assert not shell.execute("submit people=@maya")
    # Who someone is needs Slack, so that answer comes after the form closes, naming them and keeping the entry.
    assert shell.execute("/met")
    start = len(out.getvalue())
    assert shell.execute("submit people=@polly")
    assert "I couldn't log that because @polly is a bot" in out.getvalue()[start:]


def test_unknown_commands_and_bad_waits_are_explained(shell: DemoShell, session: DemoSession) -> None:
    assert not shell.execute("/unknown")  # not declared in manifest.yml: Slack would refuse it
    assert not shell.execute("dance")
    assert not shell.execute("wait soon")
    assert not shell.execute("in #nowhere /met list")
    assert "not a valid command" in session.out.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7d", timedelta(days=7)), ("3h", timedelta(hours=3)), ("2w", timedelta(weeks=2)), ("1d 4h", timedelta(hours=28))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_bad_durations() -> None:
    for text in ("", "soon", "7x", "0d"):
        with pytest.raises(DemoError):
            parse_duration(text)
    assert describe_duration(timedelta(days=1, hours=2)) == "1 day 2 hours"


SNOOZE = [("1 day", "1"), ("3 days", "3"), ("1 week", "7")]
FOLLOW = [("Never", "0"), ("In 3 days", "3"), ("In 1 week", "7"), ("In 2 weeks", "14")]
KEEP = [("Keep in touch: monthly", "30"), ("Keep in touch: quarterly", "90")]


@pytest.mark.parametrize(
    ("options", "typed", "value"),
    [
        (SNOOZE, "3 days", "3"),
        (SNOOZE, "3d", "3"),
        (SNOOZE, "1w", "7"),
        (SNOOZE, "2", "3"),
        (SNOOZE, "1 WEEK", "7"),
        (FOLLOW, "1w", "7"),
        (FOLLOW, "never", "0"),
        (FOLLOW, "2", "3"),
        (KEEP, "monthly", "30"),
        (KEEP, "q", "90"),
    ],
)
def test_menu_options_by_label_abbreviation_fragment_or_position(
    options: list[tuple[str, str]], typed: str, value: str
) -> None:
    assert match_option(options, typed) == value


def test_ambiguous_or_unknown_option_lists_the_choices() -> None:
    with pytest.raises(DemoError, match="options: 1 day / 3 days / 1 week"):
        match_option(SNOOZE, "fortnight")


def test_nudge_arrives_on_its_day_and_inbox_shows_it_again(shell: DemoShell, session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    session.switch_user("theo")
    assert shell.execute("/met @arjun today call follow up in 3d")
    start = len(out.getvalue())
    assert shell.execute("wait 4d")
    arrived = out.getvalue()[start:]
    assert (
        "⏩ 4 days later" in arrived and "· DM with Rapport · Rapport\n  │ You met arjun 3 days ago (call)." in arrived
    )
    done = re.search(r"\[(\d+)\] Done", arrived)
    assert done is not None and done.group(1) != "1", "numbers go on from the /met reply's [1] Undo"
    assert shell.execute(f"click {done.group(1)}")
    assert "Followed up with @arjun" in out.getvalue()[start:]
    start = len(out.getvalue())
    assert shell.execute("inbox")
    assert "Followed up with @arjun" in out.getvalue()[start:]
    session.switch_user("lee")


def test_a_bot_that_cannot_start_gives_one_line_and_the_terminal_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    from bot.sandbox.demo import session as demo

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(demo, "EmbeddedBot", broken)
    handlers_before = list(logging.getLogger().handlers)
    script = tmp_path / "script.txt"
    script.write_text("whoami\n", encoding="utf-8")
    out = io.StringIO()
    assert main(script=str(script), out=out) == 1
    assert out.getvalue().endswith("rapport demo: the sandbox stopped: RuntimeError: boom\n")
    assert logging.getLogger().handlers == handlers_before, "the failed session's log handlers are gone"


CADENCE = [("Every week", "1"), ("Every 2 weeks", "2"), ("Every 4 weeks", "4")]
WEEKDAYS = [("Monday", "0"), ("Tuesday", "1"), ("Wednesday", "2")]


def test_form_choices_take_an_option_label_or_value_not_a_position() -> None:
    assert match_option(CADENCE, "weekly", positions=False) == "1"
    assert match_option(CADENCE, "every 2 weeks", positions=False) == "2"
    assert match_option(WEEKDAYS, "1", positions=False) == "1", "weekday=1 is the option whose value is 1"
    assert match_option(WEEKDAYS, "1") == "0", "after a click prompt, 1 is the first option"


def test_form_errors_name_the_field_by_its_label(shell: DemoShell, session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    assert shell.execute("/met")
    start = len(out.getvalue())
    assert not shell.execute("submit people=@maya kind=dance")
    assert "⚠ Kind: no option 'dance' (options: Coffee / Lunch" in out.getvalue()[start:]
    assert not shell.execute("submit colour=blue")
    assert "(fields: People (people=), When (date=), Kind (kind=)" in out.getvalue()[start:]
    assert shell.complete_submit("pe", "submit pe", 7, 9) == ["people="]
    assert shell.complete_submit("Lu", "submit kind=Lu", 12, 14) == ["Lunch"]
    assert shell.complete_submit("@ma", "submit people=@ma", 14, 17) == ["@maya"]
    assert shell.execute("cancel")


def test_help_completion_and_the_home_command(shell: DemoShell, session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    start = len(out.getvalue())
    assert shell.execute("help")
    assert shell.execute("help click")
    shown = out.getvalue()[start:]
    assert "`help COMMAND` tells more, Tab completes" in shown and "open Rapport's Home tab" in shown
    assert "click N [choice]  — press button N" in shown and "until `inbox` or `as`" in shown
    assert shell.execute("home"), "the Home tab is real, so the demo offers it"
    assert not shell.execute("help dance")
    assert shell.completenames("cl") == ["click"]
    assert shell.completedefault("/m", "/m", 0, 2) == ["/mentor", "/met"]
    assert shell.complete_as("ma", "as ma", 3, 5) == ["maya"]
    assert shell.complete_channel("#co", "channel #co", 8, 11) == ["#coffee"]
    assert shell.complete_in("@no", "in #coffee /met @no", 16, 19) == ["@nora"]
    assert shell.execute("CLICK") is False, "commands are case-insensitive: CLICK is click, which wants a number"


def test_wait_steps_in_whole_hours_however_long(
    shell: DemoShell, session: DemoSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.sandbox.demo import session as module

    seen: list[datetime] = []

    class Probe:
        job_id = "probe"

        def run(self) -> None:
            seen.append(session.clock.now())

    monkeypatch.setattr(module, "sweeps_for", lambda services: [Probe()])
    session.clock.advance(timedelta(minutes=21))
    assert shell.execute("wait 3w")
    assert len(seen) == 3 * 7 * 24 + 1, "one step per hour, also past 17 days (and the last, to :21)"
    assert all(moment.minute == 0 for moment in seen[:-1]), "every step but the last ends on a whole hour"
    assert seen[-1] - seen[0] == timedelta(weeks=3) - timedelta(minutes=39)
    session.clock.advance(timedelta(minutes=39))


def test_a_new_person_has_no_since_they_last_looked(shell: DemoShell, session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    session.switch_user("lee")
    assert shell.execute("/met @zoe yesterday coffee")
    start = len(out.getvalue())
    assert shell.execute("wait 1w")
    assert shell.execute("as zoe")
    shown = out.getvalue()[start:]
    assert "Since" not in shown
    assert shell.execute("as lee")
    assert shell.execute("as zoe")
    assert "last looked" not in out.getvalue()[start:]
    session.switch_user("lee")


def test_wrapped_lines_keep_their_border(session: DemoSession) -> None:
    out = session.out
    assert isinstance(out, io.StringIO)
    session.width = 40
    try:
        start = len(out.getvalue())
        session._print_screen(Screen(lines=["│ " + "word " * 20, "│ ▎ " + "quoted " * 10]), "  ")
    finally:
        session.width = None
    lines = out.getvalue()[start:].splitlines()
    assert len(lines) > 2 and all(line.startswith("  │ ") for line in lines)
    assert all(line.startswith("  │ ▎ ") for line in lines if "quoted" in line)


HOME_TOUR = """\
home
/network goal 3 new people a month
/met @maya yesterday coffee
wait 8d
home
click 12
"""


def test_home_is_real_in_the_demo_and_its_buttons_work() -> None:
    out = io.StringIO()
    assert run_script(HOME_TOUR.splitlines(), out) == 0
    text = out.getvalue()
    first = text[: text.index("lee> /network goal")]
    assert "Welcome to Rapport" in first and "[1] Log a meeting" in first
    second = text[text.index("lee> wait 8d") :]
    assert "Meet 3 new people a month · December 2026" in second and "Follow up with maya" in second
    assert "*1* team" not in second and "1 team · 1 time zone" in second
    after_done = text[text.index("lee> click 12") :]
    assert "Rapport · Home tab (updated)" in after_done and "Nothing to follow up on right now." in after_done
