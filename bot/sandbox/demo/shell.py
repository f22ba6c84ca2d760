"""The demo's commands, read like a shell (`cmd.Cmd`): `help`, `help click`, and tab completion of commands, people,
channels, form fields and menu options. Scripts and the interactive session go through the same commands.
"""

from __future__ import annotations

import cmd
import logging
import shutil
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from bot.sandbox.demo.parsing import DemoError, local_time, parse_duration
from bot.sandbox.demo.session import DEFAULT_USER, DemoSession, input_blocks, label_of

logger = logging.getLogger(__name__)

HELP = """\
Commands (you act as one member of the sandbox workspace; `help COMMAND` tells more, Tab completes):
  /met @maya yesterday coffee   any slash command, typed as in Slack (@people and #channels are linked)
  in #coffee /met list          type one command in another channel
  channel #coffee               type commands in #coffee from now on (`channel dm`: your DM with Rapport)
  click N [choice]              press button N; for a menu add the option: click 2 3d
  N                             same as click N
  submit field=value …          submit the open form, e.g. submit people=@maya,@nora date=2026-11-20 kind=lunch
  cancel                        close the open form
  inbox                         show your DM with Rapport again (buttons numbered from 1 again)
  home                          open Rapport's Home tab (goals, follow-ups due, reach)
  wait 3h | wait 7d | wait 2w   move the clock forward; Rapport's scheduled work runs as time passes
  as maya                       become another member       whoami     who and where you are
  people                        the members (handle, name, team, time zone)
  help                          this list                   quit       leave (the sandbox is deleted)"""
QUIT = frozenset({"quit", "exit"})


class DemoShell(cmd.Cmd):
    """One command line at a time, against a DemoSession."""

    def __init__(self, session: DemoSession) -> None:
        super().__init__(stdout=session.out)
        self.session = session

    # ---- running -----------------------------------------------------------------------------------------------

    def execute(self, line: str) -> bool:
        """Run one command line; False when it failed (the reason is printed)."""
        return self.session.attempt(lambda: self.onecmd(line))

    def onecmd(self, line: str) -> bool:
        """Slash commands and bare numbers first, then the `do_*` commands; True means quit."""
        line = line.strip()
        if line.startswith("/"):
            self.session.slash(line, self.session.channel)
            return False
        if line.split(maxsplit=1)[:1] and line.split(maxsplit=1)[0].isdigit():
            return self.do_click(line)
        return super().onecmd(line)

    def parseline(self, line: str) -> tuple[str | None, str | None, str]:
        """Commands are case-insensitive (`Click 1`)."""
        command, arg, line = super().parseline(line)
        return (command.lower() if command else command), arg, line

    def emptyline(self) -> bool:
        """An empty line does nothing (cmd.Cmd would repeat the last command)."""
        return False

    def default(self, line: str) -> None:
        """An unknown command."""
        head = line.split(maxsplit=1)[0] if line.split() else line
        raise DemoError(f"I don't know {head!r}. Type `help` for the commands.")

    # ---- commands (each docstring is its `help`) ---------------------------------------------------------------

    def do_in(self, arg: str) -> bool:
        """in #channel /command …  — type one slash command in another channel (`in dm /met list`)."""
        where, _, command = arg.strip().partition(" ")
        if not where or not command.strip().startswith("/"):
            raise DemoError("`in #channel` goes before a slash command: in #coffee /met list")
        self.session.slash(command.strip(), self.session.channel_arg(where))
        return False

    def do_channel(self, arg: str) -> bool:
        """channel #coffee | channel dm  — where slash commands are typed from now on (no argument: where now)."""
        self.session.set_channel(arg)
        return False

    def do_click(self, arg: str) -> bool:
        """click N [choice]  — press button N; for a menu give the option too (`click 2 3d`, `click 4 monthly`).

        Numbers stay with their buttons until `inbox` or `as` starts again from 1."""
        number, _, choice = arg.strip().partition(" ")
        if not number.isdigit():
            raise DemoError("click wants a number: click 1")
        self.session.click(int(number), choice.strip() or None)
        return False

    def do_submit(self, arg: str) -> bool:
        """submit field=value …  — fill the open form and submit it. A field is named as the form shows it
        (`← people=…`); a menu takes an option's label or value (`kind=lunch`, `cadence=weekly`); people as
        @maya,@nora; quote text with spaces: notes="Pairing on the release"."""
        self.session.submit(arg)
        return False

    def do_cancel(self, arg: str) -> bool:
        """cancel  — close the open form."""
        self.session.cancel()
        return False

    def do_inbox(self, arg: str) -> bool:
        """inbox  — show your DM and group DMs with Rapport again, buttons numbered from 1."""
        self.session.inbox()
        return False

    def do_home(self, arg: str) -> bool:
        """home  — open Rapport's Home tab: goals, follow-ups due, keep-in-touch, reach; its buttons get numbers."""
        self.session.home()
        return False

    def do_wait(self, arg: str) -> bool:
        """wait 3h | 7d | 2w | 1d 4h  — move the clock forward hour by hour; Rapport's scheduled work runs on time."""
        self.session.wait(parse_duration(arg))
        return False

    def do_as(self, arg: str) -> bool:
        """as maya  — become another member and see what is waiting for them."""
        self.session.switch_user(arg)
        return False

    def do_whoami(self, arg: str) -> bool:
        """whoami  — who you are, where you type, your local time."""
        self.session.whoami()
        return False

    def do_people(self, arg: str) -> bool:
        """people  — the members: handle, name, title, team, time zone."""
        self.session.people()
        return False

    def do_help(self, arg: str) -> bool:
        """help [command]  — the list of commands, or more about one."""
        topic = arg.strip().lower().lstrip("/")
        if not topic:
            self.session.say(HELP)
            return False
        handler = getattr(self, "do_" + topic, None)
        if handler is None or not handler.__doc__:
            raise DemoError(f"there is no command {topic!r} (`help` lists them; slash commands answer `/met help`)")
        lines = handler.__doc__.strip().splitlines()
        self.session.say("\n".join("  " + line.strip() if line.strip() else "" for line in lines))
        return False

    def do_quit(self, arg: str) -> bool:
        """quit  — leave; the sandbox and its database are deleted."""
        return True

    do_exit = do_quit

    # ---- completion --------------------------------------------------------------------------------------------

    def _people(self, text: str) -> list[str]:
        prefix = text.lstrip("@").lower()
        members = [user for user in self.session.seed.users if not user.is_bot and not user.deleted]
        return [f"@{user.handle}" for user in members if user.handle.startswith(prefix)]

    def _channels(self, text: str) -> list[str]:
        prefix = text.lstrip("#").lower()
        return [f"#{channel.name}" for channel in self.session.seed.channels if channel.name.startswith(prefix)]

    def _mentions(self, text: str) -> list[str]:
        if text.startswith("@"):
            return self._people(text)
        if text.startswith("#"):
            return self._channels(text)
        return []

    def complete_as(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """Handles."""
        return [name.lstrip("@") for name in self._people(text)]

    def complete_channel(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """Channel names, and dm."""
        return self._channels(text) + (["dm"] if "dm".startswith(text) else [])

    def complete_in(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """A channel, then a slash command and its @people and #channels."""
        if len(line[:begidx].split()) <= 1:
            return self.complete_channel(text, line, begidx, endidx)
        return self._commands(text) or self._mentions(text)

    def complete_submit(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """The open form's field names (`people=`), then people, channels or the field's options."""
        stack = self.session.fake.views(self.session.me.id) if self.session.fake is not None else []
        if not stack:
            return []
        blocks = input_blocks(stack[-1])
        field, equals, _ = line[:begidx].rpartition(" ")[2].partition("=")
        if not equals:
            names = [str(block["element"].get("action_id")) for block in blocks]
            return [name + "=" for name in names if name.startswith(text)]
        mentions = self._mentions(text)
        if mentions:
            return mentions
        for block in blocks:
            if block["element"].get("action_id") == field or label_of(block).lower() == field.lower():
                labels = [label for label, _ in self.session.options_of(block["element"])]
                return [label for label in labels if label.lower().startswith(text.lower()) and " " not in label]
        return []

    def _commands(self, text: str) -> list[str]:
        declared = self.session.declared_commands() or {}
        return [command for command in sorted(declared) if command.startswith(text)] if text.startswith("/") else []

    def completedefault(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """Slash commands by name, then @people and #channels in their text."""
        return self._commands(text) or self._mentions(text)

    def completenames(self, text: str, *ignored: object) -> list[str]:
        """Command names, and slash commands from the app's manifest."""
        return super().completenames(text, *ignored) + self._commands(text)


def _lines(source: TextIO) -> Iterator[str]:
    for raw in source:
        yield raw.rstrip("\n")


def run_script(lines: Iterable[str], out: TextIO, user: str = DEFAULT_USER, start: str | None = None) -> int:
    """Run commands non-interactively, echoing each after its prompt; 0 when every command succeeded."""
    session = DemoSession(out, user=user, start=start)
    shell = DemoShell(session)
    failures = 0
    with session:
        _banner(session)
        for line in lines:
            command = line.strip()
            if not command or command.startswith("# "):
                continue
            out.write(session.prompt() + command + "\n")
            if command.lower() in QUIT:
                break
            if not shell.execute(command):
                failures += 1
    return 1 if failures else 0


def _enable_completion(shell: DemoShell) -> None:
    try:
        import readline
    except ImportError:
        logger.debug("readline unavailable; plain input without completion")
        return
    # @handles, #channels and /commands complete as whole words; field=value completes on both sides of '='.
    readline.set_completer_delims(" \t\n=,")
    readline.set_completer(shell.complete)  # type: ignore[arg-type]  # cmd.Cmd.complete answers a str or None
    readline.parse_and_bind("tab: complete")


def run_interactive(out: TextIO, user: str = DEFAULT_USER, start: str | None = None) -> int:
    """The REPL: read commands with readline history and Tab completion until `quit` or end of input."""
    session = DemoSession(out, user=user, start=start)
    session.width = shutil.get_terminal_size((100, 24)).columns - 1
    session.ask = input
    session.ansi = out.isatty()
    shell = DemoShell(session)
    _enable_completion(shell)
    out.write("Starting the sandbox (fake Slack + Rapport, all on this machine)…\n")
    with session:
        _banner(session)
        while True:
            try:
                line = input(session.prompt())
            except EOFError:
                out.write("\n")
                break
            except KeyboardInterrupt:
                out.write("\n(type quit to leave)\n")
                continue
            if not sys.stdin.isatty():
                out.write(line + "\n")  # piped input is not echoed by a terminal; keep the transcript readable
            if line.strip().lower() in QUIT:
                break
            try:
                shell.execute(line)
            except KeyboardInterrupt:
                out.write("\n(interrupted)\n")
    out.write("Bye — the sandbox and its database are gone.\n")
    return 0


def _banner(session: DemoSession) -> None:
    me = session.me
    people = sum(1 for user in session.seed.users if not user.is_bot and not user.deleted)
    teams = len({user.department for user in session.seed.users if not user.is_bot and not user.deleted})
    session.say(f"Rapport demo — a local Slack workspace ({people} people, {teams} teams) and the real bot, offline.")
    now = local_time(session.clock.now(), me.tz)
    session.say(f"You are @{me.handle} ({me.real_name}, {me.title}); your time: {now}")
    session.say(f"({me.tz}). Commands are typed in {session.channel}. `help` lists the commands, `quit` leaves.")


def _keep_logs_off_the_terminal() -> None:
    # The screen belongs to the conversation: drop the console handlers `rapport` installed (the process ends
    # with the demo, so nothing needs them back); the session logs to its own file instead.
    root = logging.getLogger()
    for handler in list(root.handlers):
        stream = getattr(handler, "stream", None)
        if type(handler) is logging.StreamHandler and stream in {sys.stderr, sys.stdout}:
            root.removeHandler(handler)


def main(
    script: str | None = None, user: str = DEFAULT_USER, start: str | None = None, out: TextIO | None = None
) -> int:
    """Entry point of `rapport demo` (``script``: a file path, '-' for stdin, None for the interactive session)."""
    stream = out or sys.stdout
    _keep_logs_off_the_terminal()
    try:
        if script is None:
            return run_interactive(stream, user=user, start=start)
        if script == "-":
            return run_script(_lines(sys.stdin), stream, user=user, start=start)
        with open(script, encoding="utf-8") as source:
            return run_script(_lines(source), stream, user=user, start=start)
    except DemoError as error:
        stream.write(f"rapport demo: {error}\n")
        return 2
    except OSError as error:
        stream.write(f"rapport demo: cannot read {script}: {error.strerror}\n")
        return 2
    except Exception as error:  # the bot itself failed to start: one clear line, the traceback for developers
        logger.exception("rapport demo stopped")
        stream.write(f"rapport demo: the sandbox stopped: {type(error).__name__}: {error}\n")
        return 1
