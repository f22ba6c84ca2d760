"""Coffee rounds and what each produced: groups (their DM, messages and answer), notices to those not grouped, and
the programme's fairness ledger. Every query is scoped by ``team_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Executable, and_, bindparam, or_, select, update

from bot.domain.coffee import CheckIn, CoffeeOutlook, GroupRecord, Notice, ProgramStatus, Round, RoundStatus, RoundTimes
from bot.domain.matching import FairnessRecord
from storage.models import (
    CoffeeFairnessRow,
    CoffeeGroupRow,
    CoffeeMemberRow,
    CoffeeNoticeRow,
    CoffeeProgramRow,
    CoffeeRoundRow,
)
from storage.repositories.common import SqlRepository, rowcount
from storage.upsert import get_or_insert


def _round(row: CoffeeRoundRow) -> Round:
    return Round(
        id=row.id,
        team_id=row.team_id,
        program_id=row.program_id,
        status=RoundStatus(row.status),
        regular=row.regular,
        seed=row.seed,
        times=RoundTimes(row.heads_up_at, row.starts_at, row.check_in_at, row.ends_at),
        pool_size=row.pool_size,
        summary_ts=row.summary_ts,
    )


def _group(row: CoffeeGroupRow) -> GroupRecord:
    return GroupRecord(
        id=row.id,
        team_id=row.team_id,
        round_id=row.round_id,
        member_ids=tuple(row.member_ids.split(",")),
        reason=row.reason,
        channel_id=row.channel_id,
        intro_ts=row.intro_ts,
        check_in_ts=row.check_in_ts,
        outcome=CheckIn(row.outcome) if row.outcome else None,
        answered_by=row.answered_by,
    )


def _outlook_statement() -> Executable:
    """A person's coffee channels (not left, programme not stopped) with their unfinished rounds and, in those, the
    person's group: built once (the Home tab runs it on every draw)."""
    member, program, round_, group = CoffeeMemberRow, CoffeeProgramRow, CoffeeRoundRow, CoffeeGroupRow
    unfinished = [RoundStatus.SCHEDULED.value, RoundStatus.STARTED.value]
    return (
        select(
            program.id,
            program.channel_id,
            program.status,
            member.paused_until,
            round_.status,
            round_.starts_at,
            group.member_ids,
            group.channel_id,
        )
        .select_from(member)
        .join(program, program.id == member.program_id)
        .outerjoin(
            round_,
            and_(round_.program_id == program.id, round_.ends_at > bindparam("now"), round_.status.in_(unfinished)),
        )
        # Ids are stored comma-separated: LIKE narrows to the group, the split in ``outlook`` makes it exact.
        .outerjoin(group, and_(group.round_id == round_.id, group.member_ids.like(bindparam("pattern"), escape="/")))
        .where(
            member.team_id == bindparam("team_id"),
            member.user_id == bindparam("user_id"),
            member.left.is_(False),
            program.team_id == bindparam("team_id"),
            program.status != ProgramStatus.STOPPED.value,
        )
        .order_by(program.id)
    )


_OUTLOOK = _outlook_statement()


class SqlCoffeeRoundRepository(SqlRepository):
    """Rounds, their groups and notices, and fairness ledgers."""

    def outlook(self, team_id: str, user_id: str, now: datetime, limit: int) -> list[CoffeeOutlook]:
        """The person's coffee channels with the next round and their group in the running one (a handful of rows)."""
        pattern = "%" + user_id.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
        rows = self._run(_OUTLOOK, team_id=team_id, user_id=user_id, now=now, pattern=pattern).all()
        found: dict[int, CoffeeOutlook] = {}
        for program_id, channel, status, paused_until, round_status, starts_at, members, group_channel in rows:
            line = found.get(program_id) or CoffeeOutlook(
                channel_id=channel,
                paused=status == ProgramStatus.PAUSED.value,
                paused_until=paused_until if paused_until is not None and paused_until > now else None,
            )
            sooner = line.next_round_at is None or starts_at < line.next_round_at
            if round_status == RoundStatus.SCHEDULED.value and sooner:
                line = replace(line, next_round_at=starts_at)
            if round_status == RoundStatus.STARTED.value and members and user_id in members.split(","):
                line = replace(line, group_member_ids=tuple(members.split(",")), group_channel_id=group_channel)
            found[program_id] = line
        return list(found.values())[:limit]

    # --- rounds -------------------------------------------------------------------------------------------------

    def add_round(
        self, team_id: str, program_id: int, seed: int, times: RoundTimes, regular: bool, now: datetime
    ) -> Round:
        """Schedule a round."""
        row = CoffeeRoundRow(
            team_id=team_id,
            program_id=program_id,
            status=RoundStatus.SCHEDULED.value,
            regular=regular,
            seed=seed,
            heads_up_at=times.heads_up_at,
            starts_at=times.starts_at,
            check_in_at=times.check_in_at,
            ends_at=times.ends_at,
            pool_size=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return _round(row)

    def round(self, team_id: str, round_id: int) -> Round | None:
        """A round by id."""
        row = self._session.scalars(
            select(CoffeeRoundRow).where(CoffeeRoundRow.team_id == team_id, CoffeeRoundRow.id == round_id)
        ).first()
        return _round(row) if row else None

    def next_scheduled_round(self, team_id: str, program_id: int) -> Round | None:
        """The programme's earliest round that has not started."""
        return self._first(team_id, program_id, [RoundStatus.SCHEDULED], latest=False)

    def latest_started_round(self, team_id: str, program_id: int) -> Round | None:
        """The programme's most recent round that started."""
        return self._first(team_id, program_id, [RoundStatus.STARTED, RoundStatus.DONE], latest=True)

    def _first(self, team_id: str, program_id: int, statuses: list[RoundStatus], *, latest: bool) -> Round | None:
        order = CoffeeRoundRow.starts_at.desc() if latest else CoffeeRoundRow.starts_at
        row = self._session.scalars(
            select(CoffeeRoundRow)
            .where(
                CoffeeRoundRow.team_id == team_id,
                CoffeeRoundRow.program_id == program_id,
                CoffeeRoundRow.status.in_([status.value for status in statuses]),
            )
            .order_by(order)
            .limit(1)
        ).first()
        return _round(row) if row else None

    def mark_started(self, team_id: str, round_id: int, pool_size: int, now: datetime) -> None:
        """The round was matched: started, with this many people in its pool."""
        self._update_round(team_id, round_id, now, status=RoundStatus.STARTED.value, pool_size=pool_size)

    def set_round_status(self, team_id: str, round_id: int, status: RoundStatus, now: datetime) -> None:
        """End a round (done) or give it up (cancelled)."""
        self._update_round(team_id, round_id, now, status=status.value)

    def record_summary(self, team_id: str, round_id: int, summary_ts: str, now: datetime) -> None:
        """The channel's summary message ("" when it could not be posted), so it is never posted twice."""
        self._update_round(team_id, round_id, now, summary_ts=summary_ts)

    def _update_round(self, team_id: str, round_id: int, now: datetime, **values: object) -> None:
        self._session.execute(
            update(CoffeeRoundRow)
            .where(CoffeeRoundRow.team_id == team_id, CoffeeRoundRow.id == round_id)
            .values(updated_at=now, **values)
        )

    def cancel_scheduled_rounds(self, team_id: str, program_id: int, now: datetime) -> list[int]:
        """Cancel the programme's rounds that have not started; their ids (their steps are the jobs' to cancel)."""
        round_ids = list(
            self._session.scalars(
                select(CoffeeRoundRow.id).where(
                    CoffeeRoundRow.team_id == team_id,
                    CoffeeRoundRow.program_id == program_id,
                    CoffeeRoundRow.status == RoundStatus.SCHEDULED.value,
                )
            )
        )
        if round_ids:
            self._session.execute(
                update(CoffeeRoundRow)
                .where(CoffeeRoundRow.id.in_(round_ids))
                .values(status=RoundStatus.CANCELLED.value, updated_at=now)
            )
        return round_ids

    # --- groups and notices -------------------------------------------------------------------------------------

    def add_groups(self, team_id: str, round_id: int, groups: Sequence[tuple[tuple[str, ...], str]]) -> None:
        """Store a round's groups (member ids, reason)."""
        for member_ids, reason in groups:
            self._session.add(
                CoffeeGroupRow(team_id=team_id, round_id=round_id, member_ids=",".join(member_ids), reason=reason[:400])
            )
        self._session.flush()

    def groups(self, team_id: str, round_id: int) -> list[GroupRecord]:
        """A round's groups, in creation order."""
        rows = self._session.scalars(
            select(CoffeeGroupRow)
            .where(CoffeeGroupRow.team_id == team_id, CoffeeGroupRow.round_id == round_id)
            .order_by(CoffeeGroupRow.id)
        )
        return [_group(row) for row in rows]

    def group(self, team_id: str, group_id: int) -> GroupRecord | None:
        """A group by id."""
        row = self._session.scalars(
            select(CoffeeGroupRow).where(CoffeeGroupRow.team_id == team_id, CoffeeGroupRow.id == group_id)
        ).first()
        return _group(row) if row else None

    def set_group_channel(self, team_id: str, group_id: int, channel_id: str) -> None:
        """The group DM opened for the group."""
        self._update_group(team_id, group_id, channel_id=channel_id)

    def record_intro(self, team_id: str, group_id: int, intro_ts: str | None) -> None:
        """The group's intro was posted (clears an earlier error)."""
        self._update_group(team_id, group_id, intro_ts=intro_ts, last_error=None)

    def record_check_in(self, team_id: str, group_id: int, check_in_ts: str) -> None:
        """The group was asked "Did you meet?"."""
        self._update_group(team_id, group_id, check_in_ts=check_in_ts)

    def record_group_error(self, team_id: str, group_id: int, error: str) -> None:
        """Why the group's last message could not be posted."""
        self._update_group(team_id, group_id, last_error=error[:64])

    def _update_group(self, team_id: str, group_id: int, **values: object) -> None:
        self._session.execute(
            update(CoffeeGroupRow)
            .where(CoffeeGroupRow.team_id == team_id, CoffeeGroupRow.id == group_id)
            .values(**values)
        )

    def answer_group(self, team_id: str, group_id: int, outcome: CheckIn, user_id: str, now: datetime) -> bool:
        """Record a check-in answer; "met" is final (a second click changes nothing and returns False)."""
        result = self._session.execute(
            update(CoffeeGroupRow)
            .where(
                CoffeeGroupRow.team_id == team_id,
                CoffeeGroupRow.id == group_id,
                or_(CoffeeGroupRow.outcome.is_(None), CoffeeGroupRow.outcome != CheckIn.MET.value),
            )
            .values(outcome=outcome.value, answered_by=user_id, answered_at=now)
        )
        return rowcount(result) > 0

    def add_notices(self, team_id: str, round_id: int, notices: Sequence[Notice]) -> None:
        """Store who was not grouped and why."""
        for notice in notices:
            self._session.add(
                CoffeeNoticeRow(
                    round_id=round_id, user_id=notice.user_id, team_id=team_id, reason=notice.reason, text=notice.text
                )
            )
        self._session.flush()

    def notices(self, team_id: str, round_id: int) -> list[Notice]:
        """A round's notices."""
        rows = self._session.scalars(
            select(CoffeeNoticeRow)
            .where(CoffeeNoticeRow.team_id == team_id, CoffeeNoticeRow.round_id == round_id)
            .order_by(CoffeeNoticeRow.user_id)
        )
        return [Notice(row.round_id, row.user_id, row.reason, row.text, row.sent_at is not None) for row in rows]

    def mark_notice_sent(self, team_id: str, round_id: int, user_id: str, now: datetime) -> None:
        """Record that someone was told why they were not grouped."""
        self._session.execute(
            update(CoffeeNoticeRow)
            .where(
                CoffeeNoticeRow.team_id == team_id,
                CoffeeNoticeRow.round_id == round_id,
                CoffeeNoticeRow.user_id == user_id,
            )
            .values(sent_at=now)
        )

    # --- fairness ledger ----------------------------------------------------------------------------------------

    def fairness(self, team_id: str, program_id: int) -> dict[str, FairnessRecord]:
        """The programme's fairness ledger."""
        rows = self._session.scalars(
            select(CoffeeFairnessRow).where(
                CoffeeFairnessRow.team_id == team_id, CoffeeFairnessRow.program_id == program_id
            )
        )
        return {
            row.user_id: FairnessRecord(
                row.times_left_out, row.times_in_larger_group, row.last_left_out, row.last_in_larger_group
            )
            for row in rows
        }

    def save_fairness(self, team_id: str, program_id: int, ledger: dict[str, FairnessRecord]) -> None:
        """Write the changed ledger entries."""
        for user_id, record in ledger.items():
            values = {"program_id": program_id, "user_id": user_id, "team_id": team_id}
            row = get_or_insert(self._session, CoffeeFairnessRow, (program_id, user_id), values)
            row.times_left_out = record.times_left_out
            row.times_in_larger_group = record.times_in_larger_group
            row.last_left_out = record.last_left_out
            row.last_in_larger_group = record.last_in_larger_group
        self._session.flush()
