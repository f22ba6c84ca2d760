"""Goals, and the aggregates insight shows: indexed GROUP BY queries over one person's log, never a full scan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Interval,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from bot.domain.insight.effectiveness import MIRROR_SLACK
from bot.domain.insight.goals import Goal, GoalKind
from bot.domain.nudges import NudgeKind, NudgeStatus
from bot.services.ports.insight import FigureWindows, PersonFigures
from storage.models import (
    CadenceRow,
    CoffeeGroupRow,
    CoffeeMemberRow,
    CoffeeRoundRow,
    ContactRollupRow,
    GoalRow,
    InteractionRow,
    NudgeRow,
    ParticipantRow,
    PersonRow,
)
from storage.repositories.common import SqlRepository
from storage.upsert import insert_statement

# Follow-ups that count towards follow-through: answered by Done or made moot by a later meeting.
_FOLLOWED_UP = (NudgeStatus.DONE.value, NudgeStatus.SUPERSEDED.value)
# Not part of the rate: "Not needed" is the person's call, a snoozed row is replaced by its successor, and a failed
# one never reached them.
_NOT_COUNTED = (NudgeStatus.DISMISSED.value, NudgeStatus.SNOOZED.value, NudgeStatus.FAILED.value)
# Spelled as the statuses that do count, so the (team, user, status, due_at) index is read as a few ranges.
_COUNTED = tuple(status.value for status in NudgeStatus if status.value not in _NOT_COUNTED)
_DELAYS_SAMPLE = 50  # "the typical time to a follow-up": the median of the latest 50 is as telling as of all


def _authored(
    team_id: str, author_id: str, start: datetime | None = None, end: datetime | None = None
) -> list[ColumnElement[bool]]:
    """The author's own meetings (optionally in [start, end)): every per-person aggregate starts here."""
    criteria = [InteractionRow.team_id == team_id, InteractionRow.author_id == author_id]
    if start is not None:
        criteria.append(InteractionRow.happened_at >= start)
    if end is not None:
        criteria.append(InteractionRow.happened_at < end)
    return criteria


def _rolled(team_id: str, author_id: str) -> list[ColumnElement[bool]]:
    """The author's rows of the per-contact roll-up."""
    return [ContactRollupRow.team_id == team_id, ContactRollupRow.author_id == author_id]


# The Home tab's reads, built once (see ``SqlRepository._run``): values are bound by name at execution.
_I: Table = InteractionRow.__table__  # type: ignore[assignment]
_P: Table = ParticipantRow.__table__  # type: ignore[assignment]
_PEOPLE: Table = PersonRow.__table__  # type: ignore[assignment]
_R: Table = ContactRollupRow.__table__  # type: ignore[assignment]
_N: Table = NudgeRow.__table__  # type: ignore[assignment]
_G: Table = GoalRow.__table__  # type: ignore[assignment]
_TEAM: BindParameter[str] = bindparam("team_id")
_AUTHOR: BindParameter[str] = bindparam("author_id")
_START: BindParameter[datetime] = bindparam("start")
_END: BindParameter[datetime] = bindparam("end")
_OWN: BindParameter[str] = bindparam("own")
_MINE = (_I.c.team_id == _TEAM, _I.c.author_id == _AUTHOR)
_MINE_IN = (*_MINE, _I.c.happened_at >= _START, _I.c.happened_at < _END)
_MY_ROLLUP = (_R.c.team_id == _TEAM, _R.c.author_id == _AUTHOR)
_GOALS = select(_G.c.kind, _G.c.target).where(_G.c.team_id == _TEAM, _G.c.user_id == _AUTHOR).order_by(_G.c.kind)
_HAS_LOGGED = select(_I.c.id).where(*_MINE).limit(1)
_FIRST_MET = select(_R.c.contact_id, _R.c.first_met_at).where(
    *_MY_ROLLUP, _R.c.first_met_at >= _START, _R.c.first_met_at < _END
)
_CONTACT_TEAM, _CONTACT_ZONE = func.coalesce(_PEOPLE.c.department, ""), func.coalesce(_PEOPLE.c.tz, "")
_WINDOWS = 3  # meetings_by_team_and_zone counts up to this many windows in one pass


def _inside(column: Any, index: int) -> Any:
    """``column`` falls in window ``index`` (bound as ``start_<index>``, ``end_<index>``; see ``_window_params``)."""
    return and_(column >= bindparam(f"start_{index}"), column < bindparam(f"end_{index}"))


def _in_window(index: int) -> Any:
    """How many of the meetings fall in window ``index``."""
    return func.sum(case((_inside(_I.c.happened_at, index), 1), else_=0))


def _window_params(windows: Sequence[tuple[datetime, datetime]], slots: int) -> dict[str, datetime]:
    """Each window's bounds (``start_<i>``, ``end_<i>``; unused slots empty, counting nothing) and the span that
    holds them all (``start``, ``end``: the one index range the statement reads)."""
    padded = [*windows, *[(windows[0][0], windows[0][0])] * (slots - len(windows))]
    params = {f"start_{index}": start for index, (start, _end) in enumerate(padded)}
    params |= {f"end_{index}": end for index, (_start, end) in enumerate(padded)}
    return params | {"start": min(start for start, _ in windows), "end": max(end for _, end in windows)}


def _window_of(column: Any, windows: int) -> Any:
    """Which of ``windows`` (non-overlapping) windows ``column`` falls in, or NULL: one CASE per row, stopping at
    the first match, so a statement can GROUP BY window over the one range that spans them."""
    return case(*((_inside(column, index), literal_column(str(index))) for index in range(windows)))


@cache
def _follow_ups_by_window(windows: int) -> Any:
    """(window, due, followed up) of the person's follow-ups, grouped by which of ``windows`` windows they came due
    in, in one pass."""
    window = _window_of(_N.c.due_at, windows)
    return (
        select(window, func.count(), func.sum(case((_N.c.status.in_(_FOLLOWED_UP), 1), else_=0)))
        .where(*_MY_NUDGES_DUE_IN, _N.c.kind == NudgeKind.FOLLOW_UP.value, _N.c.status.in_(_COUNTED))
        .group_by(window)
    )


@cache
def _outside_team_by_window(windows: int) -> Any:
    """(window, distinct people outside the team ``own``) grouped by which of ``windows`` windows they were met in,
    in one pass."""
    window = _window_of(_I.c.happened_at, windows)
    return (
        select(window, func.count(func.distinct(_P.c.user_id)))
        .select_from(
            _I.join(_P, _P.c.interaction_id == _I.c.id).outerjoin(
                _PEOPLE, and_(_PEOPLE.c.team_id == _TEAM, _PEOPLE.c.user_id == _P.c.user_id)
            )
        )
        .where(*_MINE_IN, or_(_OWN == "", _PEOPLE.c.department.is_(None), _PEOPLE.c.department != _OWN))
        .group_by(window)
    )


# Counted per contact first (the author's index range joined to the participants' primary key, both covering), then
# each contact's directory row is read once, not once per meeting.
_BY_CONTACT = (
    select(_P.c.user_id, *(_in_window(index).label(f"in_{index}") for index in range(_WINDOWS)))
    .select_from(_I.join(_P, _P.c.interaction_id == _I.c.id))
    .where(*_MINE_IN)
    .group_by(_P.c.user_id)
    .subquery()
)
_BY_TEAM_AND_ZONE = (
    select(_CONTACT_TEAM, _CONTACT_ZONE, *(func.sum(_BY_CONTACT.c[f"in_{index}"]) for index in range(_WINDOWS)))
    .select_from(
        _BY_CONTACT.outerjoin(_PEOPLE, and_(_PEOPLE.c.team_id == _TEAM, _PEOPLE.c.user_id == _BY_CONTACT.c.user_id))
    )
    .group_by(_CONTACT_TEAM, _CONTACT_ZONE)
)


def _new_ties(start: BindParameter[datetime], end: BindParameter[datetime]) -> Any:
    """People from another known team first met in [start, end): the roll-up's range joined to the directory."""
    return (
        select(func.count())
        .select_from(_R.join(_PEOPLE, and_(_PEOPLE.c.team_id == _TEAM, _PEOPLE.c.user_id == _R.c.contact_id)))
        .where(
            *_MY_ROLLUP,
            _R.c.first_met_at >= start,
            _R.c.first_met_at < end,
            _PEOPLE.c.department != "",
            _PEOPLE.c.department != _OWN,
        )
    )


_NEW_TIES = _new_ties(_START, _END)
# The person's nudges that came due in [start, end): a range of the (team, user, status, due_at) index per status.
_MY_NUDGES_DUE_IN = (_N.c.team_id == _TEAM, _N.c.user_id == _AUTHOR, _N.c.due_at >= _START, _N.c.due_at < _END)
_FOLLOW_UP_COUNTS = select(
    func.count().label("due"), func.sum(case((_N.c.status.in_(_FOLLOWED_UP), 1), else_=0)).label("done")
).where(*_MY_NUDGES_DUE_IN, _N.c.kind == NudgeKind.FOLLOW_UP.value, _N.c.status.in_(_COUNTED))
# Whether anyone else logged a meeting naming the person in [around_start, around_end) (participants' (team, user)
# index, stopping at the first).
_NAMED = select(
    exists(
        select(_I.c.id)
        .select_from(_I.join(_P, _P.c.interaction_id == _I.c.id))
        .where(
            _P.c.team_id == _TEAM,
            _P.c.user_id == _AUTHOR,
            _I.c.happened_at >= bindparam("around_start"),
            _I.c.happened_at < bindparam("around_end"),
        )
    )
)
# The Home tab's single figures in one round trip: follow-through over the 90 days (the one row the subquery
# always returns), whether the person ever logged anything, the quarter's new ties, and whether anyone else named them.
_FOLLOW_UPS = _FOLLOW_UP_COUNTS.subquery()
_COFFEE_MEMBERS: Table = CoffeeMemberRow.__table__  # type: ignore[assignment]
# Ever in a coffee channel (left ones too: their past groups count for follow-through); most people never are, and
# then the tab skips its coffee reads.
_IN_COFFEE = select(_COFFEE_MEMBERS.c.program_id).where(
    _COFFEE_MEMBERS.c.team_id == _TEAM, _COFFEE_MEMBERS.c.user_id == _AUTHOR
)
_PERSON_FIGURES = select(
    _FOLLOW_UPS.c.due,
    _FOLLOW_UPS.c.done,
    _HAS_LOGGED.exists(),
    _new_ties(bindparam("ties_start"), bindparam("ties_end")).scalar_subquery(),
    _NAMED.scalar_subquery(),
    _IN_COFFEE.exists(),
).select_from(_FOLLOW_UPS)
# The latest follow-ups done first (a backward range of the nudges' index, LIMITed), then their meetings by
# primary key: joining before the LIMIT read the meeting of every follow-up done in the window.
_LATEST_DONE = (
    select(_N.c.interaction_id, _N.c.resolved_at, _N.c.due_at, _N.c.id)
    .where(
        *_MY_NUDGES_DUE_IN,
        _N.c.status == NudgeStatus.DONE.value,
        _N.c.resolved_at.is_not(None),
        _N.c.interaction_id.is_not(None),  # the inner join below keeps only these (the key cascades on delete)
    )
    .order_by(_N.c.due_at.desc(), _N.c.id.desc())
    .limit(_DELAYS_SAMPLE)
    .subquery()
)
_FOLLOW_UP_DELAYS = select(_I.c.happened_at, _LATEST_DONE.c.resolved_at).select_from(
    _LATEST_DONE.join(_I, _I.c.id == _LATEST_DONE.c.interaction_id)
)

_COFFEE_GROUPS: Table = CoffeeGroupRow.__table__  # type: ignore[assignment]
_COFFEE_ROUNDS: Table = CoffeeRoundRow.__table__  # type: ignore[assignment]
# Driven from the workspace's rounds that ended in the window (a few a month), then each round's groups by the
# (round_id) index: a join let SQLite scan every coffee group ever made, of every workspace.
_ROUNDS_ENDED_IN = select(_COFFEE_ROUNDS.c.id).where(
    _COFFEE_ROUNDS.c.team_id == _TEAM, _COFFEE_ROUNDS.c.ends_at >= _START, _COFFEE_ROUNDS.c.ends_at < _END
)
_MY_COFFEE_GROUPS = (
    select(_COFFEE_GROUPS.c.member_ids, _COFFEE_ROUNDS.c.ends_at)
    .select_from(_COFFEE_GROUPS.join(_COFFEE_ROUNDS, _COFFEE_ROUNDS.c.id == _COFFEE_GROUPS.c.round_id))
    .where(
        _COFFEE_GROUPS.c.round_id.in_(_ROUNDS_ENDED_IN),
        _COFFEE_GROUPS.c.team_id == _TEAM,
        _COFFEE_GROUPS.c.member_ids.like(bindparam("member")),
    )
)


class SqlInsightRepository(SqlRepository):
    """Goals and per-person aggregates; every query is scoped by workspace and by the person it is about."""

    # --- goals ----------------------------------------------------------------------------------------------------

    def goals(self, team_id: str, user_id: str) -> list[Goal]:
        """A person's goals, in a stable order."""
        rows = self._run(_GOALS, team_id=team_id, author_id=user_id)
        return [Goal(GoalKind(kind), target) for kind, target in rows]

    def set_goal(self, team_id: str, user_id: str, goal: Goal, now: datetime) -> None:
        """Set (or replace) the person's goal of that kind."""
        values = {"team_id": team_id, "user_id": user_id, "kind": goal.kind.value, "target": goal.target}
        statement = insert_statement(self._session, GoalRow).values(**values, created_at=now, updated_at=now)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["team_id", "user_id", "kind"], set_={"target": goal.target, "updated_at": now}
            )
        )

    def clear_goals(self, team_id: str, user_id: str, kind: GoalKind | None) -> int:
        """Stop tracking one kind of goal (or all); returns how many were removed."""
        statement = delete(GoalRow).where(GoalRow.team_id == team_id, GoalRow.user_id == user_id)
        if kind is not None:
            statement = statement.where(GoalRow.kind == kind.value)
        return int(getattr(self._session.execute(statement), "rowcount", 0) or 0)

    # --- aggregates -----------------------------------------------------------------------------------------------

    def meetings_by_contact(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, int]:
        """How many logged meetings the author had with each contact in [start, end)."""
        rows = self._session.execute(
            select(ParticipantRow.user_id, func.count())
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(*_authored(team_id, author_id, start, end))
            .group_by(ParticipantRow.user_id)
        )
        return {user_id: int(count) for user_id, count in rows}

    def meetings_with(self, team_id: str, author_id: str, contact_id: str) -> int:
        """How many meetings the author ever logged with this contact (one roll-up row)."""
        count = self._session.scalar(
            select(ContactRollupRow.meetings).where(
                *_rolled(team_id, author_id), ContactRollupRow.contact_id == contact_id
            )
        )
        return int(count or 0)

    def contact_summaries(self, team_id: str, author_id: str) -> dict[str, tuple[int, datetime]]:
        """Each contact the author ever logged: (meetings, last met) — the roll-up, one row per contact."""
        rows = self._session.execute(
            select(ContactRollupRow.contact_id, ContactRollupRow.meetings, ContactRollupRow.last_met_at).where(
                *_rolled(team_id, author_id)
            )
        )
        return {contact: (int(count), _aware(last)) for contact, count, last in rows}

    def first_met(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, datetime]:
        """Contacts the author met for the first time in [start, end), with when: a range of the roll-up's
        (team, author, first_met_at) index, so its cost is the new contacts, not the log."""
        rows = self._run(_FIRST_MET, team_id=team_id, author_id=author_id, start=start, end=end)
        return {contact: _aware(when) for contact, when in rows}

    def has_logged(self, team_id: str, author_id: str) -> bool:
        """Whether the author ever logged anything (the first row of their index range)."""
        return self._run(_HAS_LOGGED, team_id=team_id, author_id=author_id).first() is not None

    def meetings_by_team_and_zone(
        self, team_id: str, author_id: str, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[dict[tuple[str, str], int]]:
        """Meetings in each [start, end) window (at most three) by the contact's (team, time zone), counted in SQL in
        one pass over the author's index range that spans them; ("", "") when the directory does not know the
        contact. One row per pair present, whatever the number of meetings."""
        if not windows:
            return []
        assert len(windows) <= _WINDOWS, "one pass counts at most _WINDOWS windows"
        params = _window_params(windows, _WINDOWS)
        rows = self._run(_BY_TEAM_AND_ZONE, team_id=team_id, author_id=author_id, **params)
        counted: list[dict[tuple[str, str], int]] = [{} for _ in windows]
        for department, tz, *counts in rows:
            for by_pair, count in zip(counted, counts, strict=False):
                if count:
                    by_pair[(str(department), str(tz))] = int(count)
        return counted

    def outside_team_contacts(
        self, team_id: str, author_id: str, windows: Sequence[tuple[datetime, datetime]], own: str
    ) -> list[int]:
        """Distinct people met in each [start, end) window who are not on the author's team ``own`` (unknown teams
        count): one pass over the author's index range that spans the windows."""
        if not windows:
            return []
        params = _window_params(windows, len(windows))
        statement = _outside_team_by_window(len(windows))
        counts = dict(self._run(statement, team_id=team_id, author_id=author_id, own=own, **params).all())
        return [int(counts.get(index) or 0) for index in range(len(windows))]

    def new_ties(self, team_id: str, author_id: str, start: datetime, end: datetime, own: str) -> int:
        """People from another known team whom the author first met in [start, end) (roll-up joined to people)."""
        count = self._run(_NEW_TIES, team_id=team_id, author_id=author_id, start=start, end=end, own=own).scalar()
        return int(count or 0)

    def follow_up_counts(
        self, team_id: str, user_id: str, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]:
        """(due, followed up) among the person's follow-ups that came due in each [start, end) window: one pass over
        the range of the (team, user, status, due_at) index that spans them."""
        if not windows:
            return []
        params = _window_params(windows, len(windows))
        rows = self._run(_follow_ups_by_window(len(windows)), team_id=team_id, author_id=user_id, **params)
        counts = {window: (int(due or 0), int(done or 0)) for window, due, done in rows}
        return [counts.get(index, (0, 0)) for index in range(len(windows))]

    def person_figures(self, team_id: str, user_id: str, windows: FigureWindows) -> PersonFigures:
        """``follow_up_counts`` in ``follow_ups``, ``has_logged``, ``new_ties`` in ``ties`` and ``named_by_others``
        in ``named``, in one statement (each its own index range, as the separate methods read them)."""
        due, done, logged, new_ties, named_by_others, in_coffee = self._run(
            _PERSON_FIGURES,
            team_id=team_id,
            author_id=user_id,
            start=windows.follow_ups[0],
            end=windows.follow_ups[1],
            ties_start=windows.ties[0],
            ties_end=windows.ties[1],
            own=windows.own,
            around_start=windows.named[0],
            around_end=windows.named[1],
        ).one()
        return PersonFigures(
            bool(logged), int(new_ties or 0), int(due or 0), int(done or 0), bool(named_by_others), bool(in_coffee)
        )

    def named_by_others(self, team_id: str, user_id: str, start: datetime, end: datetime) -> bool:
        """Whether anyone else logged a meeting naming ``user_id`` in [start, end) (participants' (team, user) index,
        stopping at the first): when nobody did, none of the person's meetings can be mirrored."""
        return bool(self._run(_NAMED, team_id=team_id, author_id=user_id, around_start=start, around_end=end).scalar())

    def reciprocity(self, team_id: str, author_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(my meetings in [start, end), of those the other person also logged within two days) — counts only.

        Counted in SQL: my window of the (team, author, happened_at) index, and for each meeting one indexed probe
        of the contact's own log around its time (date arithmetic per dialect, see ``_shifted``)."""
        theirs, named_in = aliased(InteractionRow), aliased(ParticipantRow)
        mine_at = InteractionRow.happened_at
        mirrored = exists(
            select(theirs.id)
            .join(named_in, named_in.interaction_id == theirs.id)
            .where(
                theirs.team_id == team_id,
                theirs.author_id == ParticipantRow.user_id,
                theirs.happened_at >= self._shifted(mine_at, -MIRROR_SLACK),
                theirs.happened_at <= self._shifted(mine_at, MIRROR_SLACK),
                named_in.user_id == author_id,
            )
        )
        meetings, matched = self._session.execute(
            select(func.count(), func.sum(case((mirrored, 1), else_=0)))
            .select_from(InteractionRow)
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(*_authored(team_id, author_id, start, end))
        ).one()
        return int(meetings or 0), int(matched or 0)

    def _shifted(self, column: Any, delta: timedelta) -> Any:
        """``column + delta`` in SQL: PostgreSQL adds an interval; SQLite (text timestamps) uses datetime()."""
        if self._session.get_bind().dialect.name == "sqlite":
            return func.strftime("%Y-%m-%d %H:%M:%f", column, f"{int(delta.total_seconds()):+d} seconds")
        return column + literal(delta, Interval())

    def follow_up_delays(self, team_id: str, user_id: str, start: datetime, end: datetime) -> list[float]:
        """Days from each meeting to its follow-up being marked done, for the latest ``_DELAYS_SAMPLE`` follow-ups done
        that came due in [start, end): a backward range of the (team, user, status, due_at) index, so the typical
        time costs the same for a person with 200 answered follow-ups as for one with 20."""
        rows = self._run(_FOLLOW_UP_DELAYS, team_id=team_id, author_id=user_id, start=start, end=end)
        return [
            max(0.0, (_aware(done) - _aware(met)).total_seconds() / 86_400) for met, done in rows if done is not None
        ]

    def coffee_follow_through(self, team_id: str, user_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(coffee groups I was in whose round ended in [start, end), of those after which I logged another meeting
        with someone from the group)."""
        groups = [
            (ends_at, [member for member in str(members).split(",") if member and member != user_id])
            for members, ends_at in self._run(
                _MY_COFFEE_GROUPS, team_id=team_id, member=f"%{user_id}%", start=start, end=end
            )
            if user_id in str(members).split(",")
        ]
        again = 0
        for ends_at, others in groups:
            later = self._session.scalar(
                select(func.count())
                .select_from(InteractionRow)
                .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
                .where(
                    InteractionRow.team_id == team_id,
                    InteractionRow.author_id == user_id,
                    InteractionRow.happened_at > ends_at,
                    ParticipantRow.user_id.in_(others),
                )
            )
            again += 1 if later else 0
        return len(groups), again

    def teams(self, team_id: str) -> list[str]:
        """The workspace's teams (departments) as the directory cache knows them, people who left excluded."""
        rows = self._session.scalars(
            select(PersonRow.department)
            .where(
                PersonRow.team_id == team_id,
                PersonRow.department != "",
                PersonRow.deleted.is_(False),
                PersonRow.is_bot.is_(False),
            )
            .distinct()
        )
        return sorted(rows)

    def cadence_counts(self, team_id: str, user_id: str, now: datetime) -> tuple[int, int]:
        """(keep-in-touch contacts, of those not overdue at ``now``)."""
        on_time = func.sum(case((or_(CadenceRow.next_due_at.is_(None), CadenceRow.next_due_at > now), 1), else_=0))
        total, fine = self._session.execute(
            select(func.count(), on_time).where(
                and_(CadenceRow.team_id == team_id, CadenceRow.user_id == user_id, CadenceRow.active.is_(True))
            )
        ).one()
        return int(total or 0), int(fine or 0)


def _aware(value: datetime) -> datetime:
    # UTCDateTime returns aware values; an aggregate (MIN) may bypass the column type on SQLite, so restore it here.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class SqlWorkspaceInsight(SqlRepository):
    """Workspace-wide aggregates for admins: counts only, each with how many people it is about."""

    def logging_activity(self, team_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(meetings logged, distinct people who logged them) in [start, end)."""
        meetings, people = self._session.execute(
            select(func.count(), func.count(func.distinct(InteractionRow.author_id))).where(
                InteractionRow.team_id == team_id, InteractionRow.happened_at >= start, InteractionRow.happened_at < end
            )
        ).one()
        return int(meetings or 0), int(people or 0)

    def coffee_outcomes(self, team_id: str, start: datetime, end: datetime) -> dict[str, int]:
        """Coffee groups of rounds that ended in [start, end), by check-in outcome ("" when nobody answered)."""
        rows = self._session.execute(
            select(CoffeeGroupRow.outcome, func.count())
            .join(CoffeeRoundRow, CoffeeRoundRow.id == CoffeeGroupRow.round_id)
            .where(CoffeeGroupRow.team_id == team_id, CoffeeRoundRow.ends_at >= start, CoffeeRoundRow.ends_at < end)
            .group_by(CoffeeGroupRow.outcome)
        )
        return {str(outcome or ""): int(count) for outcome, count in rows}

    def new_cross_team_ties(self, team_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(pairs of people from different teams who met for the first time in [start, end), people involved)."""
        first = (
            select(
                InteractionRow.author_id.label("author"),
                ParticipantRow.user_id.label("contact"),
                func.min(InteractionRow.happened_at).label("first_at"),
            )
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(InteractionRow.team_id == team_id, InteractionRow.happened_at < end)
            .group_by(InteractionRow.author_id, ParticipantRow.user_id)
            .subquery()
        )
        author, contact = PersonRow.__table__.alias("author_person"), PersonRow.__table__.alias("contact_person")
        ties = (
            select(first.c.author, first.c.contact)
            .join(author, (author.c.team_id == team_id) & (author.c.user_id == first.c.author))
            .join(contact, (contact.c.team_id == team_id) & (contact.c.user_id == first.c.contact))
            .where(
                first.c.first_at >= start,
                author.c.department != "",
                contact.c.department != "",
                author.c.department != contact.c.department,
            )
            .subquery()
        )
        pairs, people = self._session.execute(
            select(func.count(), func.count(func.distinct(ties.c.author))).select_from(ties)
        ).one()
        return int(pairs or 0), int(people or 0)
