"""Logging, listing and undoing interactions (`/met` and its modal)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain import dates
from bot.domain.met_grammar import MAX_NOTES, LogMeeting
from bot.domain.models import DEFAULT_KIND, Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.user_text import typed_length
from bot.services.group_commit import GroupCommit
from bot.services.people import PeopleService, PersonProblem
from bot.services.ports import Clock, DirectoryLookupError, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

# Called inside the transaction that stores an interaction (e.g. to schedule its follow-up), so both commit or
# neither does. Arguments: the unit of work, the stored interaction, now.
InteractionHook = Callable[[UnitOfWork, Interaction, datetime], None]
# The same for a batch of interactions stored in one transaction (a group commit of `/met` commands), when a hook
# can do its work for the batch in fewer statements than one call per interaction.
BatchHook = Callable[[UnitOfWork, Sequence[Interaction], datetime], None]
# Most `/met` commands stored in one transaction (GroupCommit): far more than the after-ack threads that wait.
MAX_BATCH = 64

# follow_up_days stored on an interaction: None = the person's default applies, 0 = never, N = days.
NO_FOLLOW_UP = 0
MAX_FOLLOW_UP_DAYS = 365
MAX_PEOPLE = 20
KNOWN_WORKSPACE_SECONDS = 600.0  # how long this process trusts that a workspace's row exists (see __init__)
# The latest "today" anywhere on Earth is UTC+14: a day after that is in the future for everyone, which the
# form can say before knowing the author's zone (that needs users.info, which may be slow).
_EARLIEST_ZONE_AHEAD = timedelta(hours=14)


@dataclass(frozen=True, slots=True)
class AuthorContext:
    """What rendering needs to know about the author: their zone and their today."""

    tz: str
    today: date


@dataclass(frozen=True, slots=True)
class Logged:
    """An interaction was stored."""

    interaction: Interaction
    labels: Mapping[str, str]
    author: AuthorContext
    repeated: bool = False  # this submission was already stored (a retry): nothing new was written


@dataclass(frozen=True, slots=True)
class Rejected:
    """Nothing was stored; ``message`` tells the user why (Slack mrkdwn)."""

    code: str
    message: str
    field_errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class History:
    """The author's recent interactions, newest first."""

    entries: list[Interaction]
    labels: Mapping[str, str]
    author: AuthorContext
    with_user: str | None = None


@dataclass(frozen=True, slots=True)
class Deleted:
    """An interaction the author removed."""

    interaction: Interaction
    labels: Mapping[str, str]
    author: AuthorContext


_PROBLEM_TEXT = {
    "not_found": "isn't in this workspace",
    "bot": "is a bot — I only log meetings with people",
    "deleted": "has been deactivated",
    "unavailable": "couldn't be looked up right now (Slack didn't answer) — please try again in a minute",
}

_DATE_TEXT = {
    "future": "*{phrase}* is in the future — log meetings once they've happened.",
    "no_such_day": "*{phrase}* isn't a real date.",
    "unparseable": "I couldn't read the date *{phrase}*.",
    "too_early": "*{phrase}* is before 2000 — I only log meetings from 2000 on.",
}
DATE_HINT = "Try `today`, `yesterday`, `friday`, `3 days ago`, `last week`, `2026-11-20` or `on 20 Nov`."


def describe_problems(problems: list[PersonProblem]) -> str:
    """One sentence per person who cannot be logged."""
    return " ".join(f"<@{p.user_id}> {_PROBLEM_TEXT[p.code]}." for p in problems)


class InteractionService:
    """Use cases around logged interactions. Every read of notes is scoped to the author."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        clock: Clock,
        on_logged: Sequence[InteractionHook] = (),
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock
        self._on_logged: list[tuple[InteractionHook, BatchHook | None]] = [(hook, None) for hook in on_logged]
        # Typed meetings share transactions under load (bot/services/group_commit.py). Two meetings of one author
        # never share one: their follow-ups depend on which was stored first.
        self._meetings: GroupCommit[NewInteraction, Interaction] = GroupCommit(
            self._write, MAX_BATCH, conflict_key=lambda new: (new.team_id, new.author_id)
        )
        self._on_deleted: list[Callable[[str, str], None]] = []
        # Workspaces whose row a committed transaction of this process ensured, and when: their next meetings skip
        # the insert-if-missing. A workspace's rows go only when it is purged (bot.services.workspaces), which drops
        # the entry here; another process's purge is noticed when the entry expires (far sooner than any retention).
        self._known_workspaces: dict[str, float] = {}

    def forget_workspace(self, team_id: str) -> None:
        """The workspace was purged: its row must be ensured again before its next meeting."""
        self._known_workspaces.pop(team_id, None)

    def add_hook(self, hook: InteractionHook, many: BatchHook | None = None) -> None:
        """Run ``hook`` in the same transaction as every interaction stored from now on (``many`` once for a batch
        of them, when given; otherwise ``hook`` once each)."""
        self._on_logged.append((hook, many))

    def on_deleted(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(team_id, author_id)`` after an interaction of theirs is deleted (and committed)."""
        self._on_deleted.append(listener)

    def author_context(self, team_id: str, author_id: str) -> AuthorContext:
        """The author's zone (from Slack, UTC if unknown) and their local today."""
        try:
            author = self._people.get(team_id, author_id)
        except DirectoryLookupError:
            author = None
        tz = author.tz if author else "UTC"
        return AuthorContext(tz=tz, today=dates.local_today(self._clock.now(), tz))

    def log_meeting(
        self, team_id: str, author_id: str, command: LogMeeting, source: InteractionSource = InteractionSource.COMMAND
    ) -> Logged | Rejected:
        """Validate and store a meeting typed as `/met` text."""
        now = self._clock.now()
        author = self.author_context(team_id, author_id)
        try:
            resolved = dates.resolve(command.date_phrase, now, author.tz)
        except dates.DateError as error:
            return Rejected(error.code, _DATE_TEXT[error.code].format(phrase=error.phrase) + " " + DATE_HINT)
        people, problems = self._people.resolve(team_id, command.user_ids)
        if problems:
            return Rejected(problems[0].code, describe_problems(problems) + " Nothing was logged.")
        follow_up = NO_FOLLOW_UP if command.no_follow_up else command.follow_up_days
        new = NewInteraction(
            team_id=team_id,
            author_id=author_id,
            happened_at=resolved.at,
            kind=command.kind or DEFAULT_KIND,
            notes=command.notes,
            source=source,
            participant_ids=command.user_ids,
            tags=command.tags,
            follow_up_days=follow_up,
        )
        return self._store(new, people, author)

    def check_form(
        self, author_id: str, user_ids: tuple[str, ...], day: date | None, notes: str, follow_up_days: int | None
    ) -> dict[str, str]:
        """The modal's field errors that the payload alone shows (no Slack call, no database): safe before the ack."""
        errors: dict[str, str] = {}
        others = tuple(u for u in dict.fromkeys(user_ids) if u != author_id)
        if not others:
            errors["people"] = "Pick at least one person other than yourself."
        elif len(others) > MAX_PEOPLE:
            errors["people"] = f"You can log up to {MAX_PEOPLE} people at once."
        if day is not None and day > (self._clock.now() + _EARLIEST_ZONE_AHEAD).date():
            errors["date"] = "That's in the future — log meetings once they've happened."
        elif day is not None and day < dates.EARLIEST_DAY:
            errors["date"] = "Pick a day from 2000 on."
        # Form notes are stored Slack-escaped, so count them as the person typed them (an & is one character).
        if (typed := typed_length(notes)) > MAX_NOTES:
            errors["notes"] = f"Notes can be up to {MAX_NOTES:,} characters (these are {typed:,})."
        if follow_up_days is not None and not 0 <= follow_up_days <= MAX_FOLLOW_UP_DAYS:
            errors["follow_up"] = "Pick one of the follow-up choices."
        return errors

    def log_from_form(
        self,
        team_id: str,
        author_id: str,
        user_ids: tuple[str, ...],
        day: date | None,
        kind: InteractionKind,
        notes: str,
        follow_up_days: int | None,
        submission_key: str | None = None,
    ) -> Logged | Rejected:
        """Validate and store a meeting from the modal; field errors are keyed people/date/notes/follow_up.

        With ``submission_key`` (one per view submission) a retried submission returns the entry stored the
        first time, marked ``repeated``, and stores nothing.
        """
        now = self._clock.now()
        errors = self.check_form(author_id, user_ids, day, notes, follow_up_days)
        if errors:
            return Rejected("invalid_form", "Please fix the highlighted fields.", errors)
        author = self.author_context(team_id, author_id)
        others = tuple(u for u in dict.fromkeys(user_ids) if u != author_id)
        if day is not None and day > author.today:
            errors["date"] = f"{day:%a} {day.day} {day:%b} is still in the future where you are."
        people, problems = self._people.resolve(team_id, others)
        if problems:
            errors["people"] = describe_problems(problems).replace("*", "")
        if errors:
            return Rejected("invalid_form", " ".join(errors.values()), errors)
        resolved = dates.resolve(None, now, author.tz)
        if day is not None and day != author.today:
            resolved = dates.resolve(day.isoformat(), now, author.tz)
        new = NewInteraction(
            team_id=team_id,
            author_id=author_id,
            happened_at=resolved.at,
            kind=kind,
            notes=notes.strip(),
            source=InteractionSource.MODAL,
            participant_ids=others,
            follow_up_days=follow_up_days,
        )
        return self._store(new, people, author, submission_key)

    def _store(
        self,
        new: NewInteraction,
        people: Mapping[str, Person],
        author: AuthorContext,
        submission_key: str | None = None,
    ) -> Logged | Rejected:
        labels = {user_id: person.label for user_id, person in people.items()}
        if submission_key is None:
            interaction = self._meetings.submit(new)
            self._logged(interaction)
            return Logged(interaction=interaction, labels=labels, author=author)
        now = self._clock.now()
        with self._uow_factory() as uow:
            self._ensure_workspaces(uow, (new.team_id,), now)
            stored = uow.interactions.add_once(new, now, submission_key)
            if stored is None:
                earlier = uow.interactions.by_submission_key(new.team_id, new.author_id, submission_key)
                if earlier is not None:
                    logger.info("submission already stored as interaction %s team=%s", earlier.id, new.team_id)
                    return Logged(interaction=earlier, labels=labels, author=author, repeated=True)
                # Stored and undone in between: the retry must not bring it back.
                return Rejected("removed", "that entry was logged and then removed since.")
            self._run_hooks(uow, [stored], now)
            uow.commit()
        self._known_workspaces[new.team_id] = time.monotonic()
        self._logged(stored)
        return Logged(interaction=stored, labels=labels, author=author)

    def _write(self, news: Sequence[NewInteraction]) -> list[Interaction]:
        """GroupCommit's flush: the batch in one transaction (GroupCommit retries a failed batch meeting by meeting)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            self._ensure_workspaces(uow, {new.team_id for new in news}, now)
            stored = uow.interactions.add_many(news, now)
            self._run_hooks(uow, stored, now)
            uow.commit()
        for team_id in {new.team_id for new in news}:
            self._known_workspaces[team_id] = time.monotonic()
        return stored

    def _ensure_workspaces(self, uow: UnitOfWork, team_ids: Iterable[str], now: datetime) -> None:
        for team_id in team_ids:
            known = self._known_workspaces.get(team_id)
            if known is None or time.monotonic() - known > KNOWN_WORKSPACE_SECONDS:
                uow.workspaces.ensure(team_id, now)

    def _run_hooks(self, uow: UnitOfWork, stored: Sequence[Interaction], now: datetime) -> None:
        for hook, many in self._on_logged:
            if many is not None and len(stored) > 1:
                many(uow, stored, now)
            else:
                for interaction in stored:
                    hook(uow, interaction, now)

    @staticmethod
    def _logged(interaction: Interaction) -> None:
        logger.info(
            "logged interaction %s team=%s people=%d source=%s",
            interaction.id,
            interaction.team_id,
            len(interaction.participant_ids),
            interaction.source.value,
        )

    def history(self, team_id: str, author_id: str, with_user: str | None = None, limit: int = 10) -> History:
        """The author's last ``limit`` interactions, optionally only those with ``with_user``."""
        author = self.author_context(team_id, author_id)
        with self._uow_factory() as uow:
            entries = uow.interactions.list_for_author(team_id, author_id, with_user=with_user, limit=limit)
        ids = tuple(dict.fromkeys(u for e in entries for u in e.participant_ids))
        if with_user:
            ids = tuple(dict.fromkeys((with_user, *ids)))
        return History(entries, self._people.labels(team_id, ids), author, with_user)

    def undo_last(self, team_id: str, author_id: str) -> Deleted | None:
        """Delete the author's most recently logged interaction."""
        with self._uow_factory() as uow:
            latest = uow.interactions.latest_for_author(team_id, author_id)
            if latest is None:
                return None
            deleted = uow.interactions.delete_for_author(team_id, author_id, latest.id)
            uow.commit()
        return self._deleted(team_id, author_id, deleted)

    def delete(self, team_id: str, author_id: str, interaction_id: int) -> Deleted | None:
        """Delete one of the author's interactions (the Undo button); None if it is gone or not theirs."""
        with self._uow_factory() as uow:
            deleted = uow.interactions.delete_for_author(team_id, author_id, interaction_id)
            uow.commit()
        return self._deleted(team_id, author_id, deleted)

    def _deleted(self, team_id: str, author_id: str, deleted: Interaction | None) -> Deleted | None:
        if deleted is None:
            return None
        logger.info("deleted interaction %s team=%s", deleted.id, team_id)
        for listener in self._on_deleted:
            listener(team_id, author_id)
        labels = self._people.labels(team_id, deleted.participant_ids)
        return Deleted(deleted, labels, self.author_context(team_id, author_id))

    def now(self) -> datetime:
        """The service clock's now (for rendering defaults such as the modal's date)."""
        return self._clock.now()
