"""A person's reminder preferences and keep-in-touch cadences, as the `/met` UI sees them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from bot.domain import dates, nudges
from bot.domain.nudges import CadenceInfo, NudgeSettings
from bot.services.people import PeopleService
from bot.services.ports import Clock

MAX_FOLLOW_UP_DAYS = 365
_LATEST_ZONE = timedelta(hours=12)
_PAUSE_ERROR = "Pick a day after today, or leave it empty to keep reminders on."


class FollowUpSettings(Protocol):
    """The part of the follow-up service this one builds on."""

    def get_settings(self, team_id: str, user_id: str) -> NudgeSettings:
        """The person's settings (defaults until changed)."""
        ...

    def save_settings(self, team_id: str, user_id: str, settings: NudgeSettings) -> NudgeSettings:
        """Store the person's settings."""
        ...

    def set_cadence(self, team_id: str, user_id: str, contact_id: str, every_days: int) -> CadenceInfo:
        """Start (or change) a keep-in-touch cadence."""
        ...

    def stop_cadence(self, team_id: str, user_id: str, contact_id: str) -> bool:
        """Stop a cadence; False when there was none."""
        ...

    def list_cadences(self, team_id: str, user_id: str) -> list[CadenceInfo]:
        """The person's active cadences."""
        ...


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """What the person chose in the settings modal."""

    default_follow_up_days: int
    work_start: time
    work_end: time
    work_days: frozenset[int]
    pause_until_day: date | None
    digest_enabled: bool


@dataclass(frozen=True, slots=True)
class PersonalView:
    """A person's settings with what rendering needs: their zone and local today."""

    settings: NudgeSettings
    tz: str
    today: date
    now: datetime


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """Saved settings, or field errors keyed by SettingsForm field name."""

    settings: NudgeSettings | None
    tz: str
    field_errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CadenceList:
    """The person's cadences with display names."""

    cadences: list[CadenceInfo]
    labels: Mapping[str, str]
    now: datetime
    tz: str


@dataclass(frozen=True, slots=True)
class CadenceChange:
    """Result of starting or stopping cadences, with display names."""

    contact_ids: tuple[str, ...]
    labels: Mapping[str, str]
    every_days: int | None
    changed: bool
    problem: str | None = None


class PreferencesService:
    """Settings and cadences: validation, the person's zone, display names."""

    def __init__(self, followups: FollowUpSettings, people: PeopleService, clock: Clock) -> None:
        self._followups = followups
        self._people = people
        self._clock = clock

    def load(self, team_id: str, user_id: str) -> PersonalView:
        """Current settings, zone and local today (for the settings modal)."""
        tz = self._people.tz_of(team_id, user_id)
        now = self._clock.now()
        return PersonalView(self._followups.get_settings(team_id, user_id), tz, dates.local_today(now, tz), now)

    def check_form(self, form: SettingsForm) -> dict[str, str]:
        """Field errors the form alone shows (no Slack call, no database): safe before the modal's ack."""
        errors: dict[str, str] = {}
        if not 0 <= form.default_follow_up_days <= MAX_FOLLOW_UP_DAYS:
            errors["default_follow_up_days"] = "Pick one of the choices."
        if not form.work_days:
            errors["work_days"] = "Pick at least one working day."
        if form.work_start == form.work_end:
            errors["work_end"] = "The end of your working hours must differ from the start."
        # The earliest "today" anywhere is UTC-12: a day up to then is not after today for anyone.
        if form.pause_until_day is not None and form.pause_until_day <= (self._clock.now() - _LATEST_ZONE).date():
            errors["paused_until"] = _PAUSE_ERROR
        return errors

    def save(self, team_id: str, user_id: str, form: SettingsForm) -> SaveOutcome:
        """Validate and store the settings modal (the pause day is checked in the person's own zone)."""
        errors = self.check_form(form)
        tz = self._people.tz_of(team_id, user_id)
        today = dates.local_today(self._clock.now(), tz)
        if form.pause_until_day is not None and form.pause_until_day <= today:
            errors["paused_until"] = _PAUSE_ERROR
        if errors:
            return SaveOutcome(None, tz, errors)
        paused_until = nudges.resume_at(form.pause_until_day, tz) if form.pause_until_day else None
        settings = NudgeSettings(
            default_follow_up_days=form.default_follow_up_days,
            work_start=form.work_start,
            work_end=form.work_end,
            work_days=form.work_days,
            paused_until=paused_until,
            digest_enabled=form.digest_enabled,
        )
        return SaveOutcome(self._followups.save_settings(team_id, user_id, settings), tz)

    def cadences(self, team_id: str, user_id: str) -> CadenceList:
        """The person's keep-in-touch cadences with names."""
        cadences = self._followups.list_cadences(team_id, user_id)
        labels = self._people.labels(team_id, tuple(c.contact_id for c in cadences))
        return CadenceList(cadences, labels, self._clock.now(), self._people.tz_of(team_id, user_id))

    def keep_in_touch(self, team_id: str, user_id: str, contact_ids: tuple[str, ...], every_days: int) -> CadenceChange:
        """Start (or change) cadences with people who can be met (not bots, not deactivated)."""
        people, problems = self._people.resolve(team_id, tuple(c for c in contact_ids if c != user_id))
        if problems and not people:
            from bot.services.interactions import describe_problems

            return CadenceChange(contact_ids, {}, every_days, False, describe_problems(problems))
        for contact_id in people:
            self._followups.set_cadence(team_id, user_id, contact_id, every_days)
        labels = {user: person.label for user, person in people.items()}
        return CadenceChange(tuple(people), labels, every_days, True)

    def stop(self, team_id: str, user_id: str, contact_id: str) -> CadenceChange:
        """Stop the cadence with one person."""
        stopped = self._followups.stop_cadence(team_id, user_id, contact_id)
        return CadenceChange((contact_id,), self._people.labels(team_id, (contact_id,)), None, stopped)
