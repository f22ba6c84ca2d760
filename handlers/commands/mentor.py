"""`/mentor`: the profile modal, status, find, and the programme's commands (skills, programme, match now).

The text is parsed by ``bot.domain.mentoring.grammar`` into a typed command; this module only dispatches it. The
work that may call Slack (the person check, admin checks) runs after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.mentoring.grammar import (
    USAGE,
    AddSkills,
    Find,
    ListSkills,
    MatchNow,
    MentorCommand,
    MentorGrammarError,
    OpenProfile,
    OpenProgramme,
    RemoveSkills,
    ShowHelp,
    ShowStatus,
    parse_mentor,
)
from bot.services.mentoring import MentoringService, Reply
from handlers.after_ack import AfterAck
from handlers.blocks import mentoring as blocks
from handlers.reply import Reply as Say
from handlers.reply import open_modal, replier

_NO_MODAL = Reply("I couldn't open the form just now — please try again.", ok=False)


def handle_mentor(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """`/mentor …`: ack, parse, then one service call (after the ack, except for the trigger-bound modals)."""
    ack()
    say = replier(respond, client, command)
    parsed = parse_mentor(str(command.get("text") or ""))
    if isinstance(parsed, MentorGrammarError):
        say(blocks.reply_message(Reply(parsed.message, ok=False)))
        return
    mentoring: MentoringService = context["mentoring"]
    team_id, user_id = str(command.get("team_id", "")), str(command.get("user_id", ""))
    trigger = str(command.get("trigger_id") or "")
    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(command, lambda: _dispatch(parsed, mentoring, client, team_id, user_id, trigger, say))


def _dispatch(
    parsed: MentorCommand, mentoring: MentoringService, client: WebClient, team_id: str, user_id: str, trigger: str,
    say: Say,
) -> None:  # fmt: skip
    match parsed:
        case OpenProfile():
            form = mentoring.profile_form(team_id, user_id)
            if isinstance(form, Reply):
                say(blocks.reply_message(form))
            elif not open_modal(client, trigger, blocks.profile_modal(form)):
                say(blocks.reply_message(_NO_MODAL))
        case OpenProgramme():
            settings = mentoring.programme_form(team_id, user_id)
            if isinstance(settings, Reply):
                say(blocks.reply_message(settings))
            elif not open_modal(client, trigger, blocks.programme_modal(settings)):
                say(blocks.reply_message(_NO_MODAL))
        case ShowStatus():
            say(blocks.status_message(mentoring.status(team_id, user_id), user_id))
        case ShowHelp():
            say(blocks.help_message(USAGE))
        case ListSkills():
            say(blocks.skills_message(mentoring.skills(team_id)))
        case AddSkills(names):
            say(blocks.reply_message(mentoring.add_skills(team_id, user_id, list(names))))
        case RemoveSkills(names):
            say(blocks.reply_message(mentoring.remove_skills(team_id, user_id, list(names))))
        case MatchNow():
            say(blocks.reply_message(mentoring.match_now(team_id, user_id)))
        case Find(skill):
            found = mentoring.find(team_id, user_id, skill)
            say(blocks.reply_message(found) if isinstance(found, Reply) else blocks.found_message(found))
