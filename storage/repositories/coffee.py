"""Coffee-round storage: programmes, member state, intros, private avoid lists, rounds, groups, notices, fairness,
and the round steps (``coffee_jobs``) that sweeps claim with a lease.

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once (through the
partial index ``ix_coffee_jobs_claimable``). Avoid lists are only ever read back by their owner, or as anonymous
blocked pairs for the matcher.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.coffee import (
    CheckIn,
    GroupRecord,
    Job,
    JobKind,
    MemberState,
    Notice,
    OptIn,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    RoundStatus,
    RoundTimes,
)
from bot.domain.matching import FairnessRecord, PoolMode
from storage.leases import claim_statement, lease_criteria, update_held
from storage.models import (
    CoffeeAvoidRow,
    CoffeeFairnessRow,
    CoffeeGroupRow,
    CoffeeJobRow,
    CoffeeMemberRow,
    CoffeeNoticeRow,
    CoffeeProfileRow,
    CoffeeProgramRow,
    CoffeeRoundRow,
    InteractionRow,
    ParticipantRow,
)
from storage.upsert import insert_if_missing


def _program(row: CoffeeProgramRow) -> Program:
    return Program(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        status=ProgramStatus(row.status),
        settings=ProgramSettings(
            cadence_weeks=row.cadence_weeks,
            weekday=row.weekday,
            local_minute=row.local_minute,
            tz=row.tz,
            group_size=row.group_size,
            pool_mode=PoolMode(row.pool_mode),
            opt_in=OptIn(row.opt_in),
        ),
        set_up_by=row.set_up_by,
    )


def _program_values(settings: ProgramSettings) -> dict[str, Any]:
    return {
        "cadence_weeks": settings.cadence_weeks,
        "weekday": settings.weekday,
        "local_minute": settings.local_minute,
        "tz": settings.tz,
        "group_size": settings.group_size,
        "pool_mode": settings.pool_mode.value,
        "opt_in": settings.opt_in.value,
    }


def _member(row: CoffeeMemberRow) -> MemberState:
    return MemberState(
        user_id=row.user_id,
        in_channel=row.in_channel,
        opted_in=row.opted_in,
        left=row.left,
        paused_until=row.paused_until,
        skip_round_id=row.skip_round_id,
        ignored_rounds=row.ignored_rounds,
        set_aside=row.set_aside,
        welcomed=row.welcomed,
        heads_up_round_id=row.heads_up_round_id,
    )


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


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class SqlCoffeeRepository:
    """Everything coffee rounds store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- programmes ---------------------------------------------------------------------------------------------

    def program_for_channel(self, team_id: str, channel_id: str) -> Program | None:
        """The channel's programme, if it was ever set up."""
        row = self._session.scalars(
            select(CoffeeProgramRow).where(
                CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.channel_id == channel_id
            )
        ).first()
        return _program(row) if row else None

    def program(self, team_id: str, program_id: int) -> Program | None:
        """A programme by id."""
        row = self._session.scalars(
            select(CoffeeProgramRow).where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.id == program_id)
        ).first()
        return _program(row) if row else None

    def save_program(
        self, team_id: str, channel_id: str, settings: ProgramSettings, set_up_by: str, now: datetime
    ) -> Program:
        """Create the channel's programme or replace its settings; either way it becomes active."""
        # Two organisers saving the first settings at once both create-or-find the one row.
        insert_if_missing(
            self._session,
            CoffeeProgramRow,
            {
                **_program_values(settings),
                "team_id": team_id,
                "channel_id": channel_id,
                "status": ProgramStatus.ACTIVE.value,
                "set_up_by": set_up_by,
                "created_at": now,
                "updated_at": now,
            },
        )
        row = self._session.scalars(
            select(CoffeeProgramRow)
            .where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.channel_id == channel_id)
            .execution_options(populate_existing=True)
        ).one()
        row.status = ProgramStatus.ACTIVE.value
        for name, value in _program_values(settings).items():
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        return _program(row)

    def set_program_status(self, team_id: str, program_id: int, status: ProgramStatus, now: datetime) -> None:
        """Pause, resume or stop a programme."""
        self._session.execute(
            update(CoffeeProgramRow)
            .where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.id == program_id)
            .values(status=status.value, updated_at=now)
        )

    # --- members ------------------------------------------------------------------------------------------------

    def member(self, team_id: str, program_id: int, user_id: str) -> MemberState:
        """A person's state (defaults when they have no row yet)."""
        row = self._session.get(CoffeeMemberRow, (program_id, user_id))
        return _member(row) if row is not None and row.team_id == team_id else MemberState(user_id)

    def members(self, team_id: str, program_id: int) -> dict[str, MemberState]:
        """Every stored member state of a programme."""
        rows = self._session.scalars(
            select(CoffeeMemberRow).where(CoffeeMemberRow.team_id == team_id, CoffeeMemberRow.program_id == program_id)
        )
        return {row.user_id: _member(row) for row in rows}

    def update_member(self, team_id: str, program_id: int, user_id: str, now: datetime, **changes: Any) -> MemberState:
        """Insert or change a person's state (only the given fields change)."""
        row = self._session.get(CoffeeMemberRow, (program_id, user_id))
        if row is None:
            defaults = MemberState(user_id)
            insert_if_missing(
                self._session,
                CoffeeMemberRow,
                {
                    "program_id": program_id,
                    "user_id": user_id,
                    "team_id": team_id,
                    "in_channel": defaults.in_channel,
                    "opted_in": defaults.opted_in,
                    "left": defaults.left,
                    "ignored_rounds": 0,
                    "set_aside": False,
                    "welcomed": False,
                    "updated_at": now,
                },
            )
            row = self._session.get(CoffeeMemberRow, (program_id, user_id), populate_existing=True)
            assert row is not None
        for name, value in changes.items():
            if name not in MemberState.__dataclass_fields__ or name == "user_id":
                raise ValueError(f"unknown member field {name}")
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        return _member(row)

    def claim_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> bool:
        """Mark a stored member welcomed; True only for the one caller that flipped it (so one welcome, ever)."""
        result = self._session.execute(
            update(CoffeeMemberRow)
            .where(
                CoffeeMemberRow.team_id == team_id,
                CoffeeMemberRow.program_id == program_id,
                CoffeeMemberRow.user_id == user_id,
                CoffeeMemberRow.welcomed.is_(False),
            )
            .values(welcomed=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def mark_in_channel(self, team_id: str, program_id: int, user_ids: Iterable[str], now: datetime) -> None:
        """Record the channel's current membership: these are in, every other stored member is out."""
        present = set(user_ids)
        existing = self.members(team_id, program_id)
        for user_id, state in existing.items():
            if state.in_channel != (user_id in present):
                self.update_member(team_id, program_id, user_id, now, in_channel=user_id in present)
        for user_id in present - set(existing):
            self.update_member(team_id, program_id, user_id, now, in_channel=True)

    # --- intros and avoid lists ---------------------------------------------------------------------------------

    def intros(self, team_id: str, user_ids: Sequence[str]) -> dict[str, str]:
        """Intro lines of these people (absent when they wrote none)."""
        if not user_ids:
            return {}
        rows = self._session.scalars(
            select(CoffeeProfileRow).where(
                CoffeeProfileRow.team_id == team_id, CoffeeProfileRow.user_id.in_(list(user_ids))
            )
        )
        return {row.user_id: row.intro for row in rows if row.intro}

    def set_intro(self, team_id: str, user_id: str, intro: str, now: datetime) -> None:
        """Set (or clear, with "") a person's intro line."""
        row = self._session.get(CoffeeProfileRow, (team_id, user_id))
        if row is None:
            values = {"team_id": team_id, "user_id": user_id, "intro": "", "updated_at": now}
            insert_if_missing(self._session, CoffeeProfileRow, values)
            row = self._session.get(CoffeeProfileRow, (team_id, user_id), populate_existing=True)
            assert row is not None
        row.intro = intro
        row.updated_at = now
        self._session.flush()

    def add_avoid(self, team_id: str, user_id: str, avoided_id: str, now: datetime) -> bool:
        """Add to the person's private avoid list; False when already there."""
        values = {"team_id": team_id, "user_id": user_id, "avoided_id": avoided_id, "created_at": now}
        return insert_if_missing(self._session, CoffeeAvoidRow, values) is not None

    def remove_avoid(self, team_id: str, user_id: str, avoided_id: str) -> bool:
        """Remove from the person's avoid list; False when it was not there."""
        result = self._session.execute(
            delete(CoffeeAvoidRow).where(
                CoffeeAvoidRow.team_id == team_id,
                CoffeeAvoidRow.user_id == user_id,
                CoffeeAvoidRow.avoided_id == avoided_id,
            )
        )
        return _rowcount(result) > 0

    def avoids_of(self, team_id: str, user_id: str) -> list[str]:
        """The person's own avoid list (only ever shown to them)."""
        return list(
            self._session.scalars(
                select(CoffeeAvoidRow.avoided_id)
                .where(CoffeeAvoidRow.team_id == team_id, CoffeeAvoidRow.user_id == user_id)
                .order_by(CoffeeAvoidRow.created_at, CoffeeAvoidRow.avoided_id)
            )
        )

    def blocked_pairs(self, team_id: str, user_ids: Sequence[str]) -> set[frozenset[str]]:
        """Pairs in this pool that must not be grouped (either side asked), without saying who asked."""
        pool = set(user_ids)
        rows = self._session.execute(
            select(CoffeeAvoidRow.user_id, CoffeeAvoidRow.avoided_id).where(CoffeeAvoidRow.team_id == team_id)
        )
        return {frozenset((a, b)) for a, b in rows if a in pool and b in pool and a != b}

    # --- matching inputs from every logged interaction ----------------------------------------------------------

    def last_met_pairs(self, team_id: str, since: datetime) -> dict[frozenset[str], datetime]:
        """The latest interaction per pair of people (author or participant) since ``since``; notes are not read."""
        rows = self._session.execute(
            select(InteractionRow.id, InteractionRow.author_id, InteractionRow.happened_at, ParticipantRow.user_id)
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(InteractionRow.team_id == team_id, InteractionRow.happened_at >= since)
        )
        people: dict[int, tuple[datetime, set[str]]] = {}
        for interaction_id, author_id, happened_at, participant_id in rows:
            entry = people.setdefault(interaction_id, (happened_at, {author_id}))
            entry[1].add(participant_id)
        latest: dict[frozenset[str], datetime] = {}
        for happened_at, members in people.values():
            ordered = sorted(members)
            for index, first in enumerate(ordered):
                for second in ordered[index + 1 :]:
                    pair = frozenset((first, second))
                    if pair not in latest or latest[pair] < happened_at:
                        latest[pair] = happened_at
        return latest

    def set_interaction_notes(self, team_id: str, author_id: str, interaction_id: int, notes: str) -> bool:
        """Attach a private note to one of the author's own interactions (the "We met" note)."""
        result = self._session.execute(
            update(InteractionRow)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.id == interaction_id,
            )
            .values(notes=notes)
        )
        return _rowcount(result) > 0

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
        row = self._session.scalars(
            select(CoffeeRoundRow)
            .where(
                CoffeeRoundRow.team_id == team_id,
                CoffeeRoundRow.program_id == program_id,
                CoffeeRoundRow.status == RoundStatus.SCHEDULED.value,
            )
            .order_by(CoffeeRoundRow.starts_at)
            .limit(1)
        ).first()
        return _round(row) if row else None

    def latest_started_round(self, team_id: str, program_id: int) -> Round | None:
        """The programme's most recent round that started."""
        row = self._session.scalars(
            select(CoffeeRoundRow)
            .where(
                CoffeeRoundRow.team_id == team_id,
                CoffeeRoundRow.program_id == program_id,
                CoffeeRoundRow.status.in_([RoundStatus.STARTED.value, RoundStatus.DONE.value]),
            )
            .order_by(CoffeeRoundRow.starts_at.desc())
            .limit(1)
        ).first()
        return _round(row) if row else None

    def update_round(self, team_id: str, round_id: int, now: datetime, **values: Any) -> None:
        """Change a round's status, pool size or summary ts."""
        if "status" in values and isinstance(values["status"], RoundStatus):
            values["status"] = values["status"].value
        self._session.execute(
            update(CoffeeRoundRow)
            .where(CoffeeRoundRow.team_id == team_id, CoffeeRoundRow.id == round_id)
            .values(updated_at=now, **values)
        )

    def cancel_scheduled_rounds(self, team_id: str, program_id: int, now: datetime) -> int:
        """Cancel the programme's rounds that have not started, and their pending steps."""
        round_ids = list(
            self._session.scalars(
                select(CoffeeRoundRow.id).where(
                    CoffeeRoundRow.team_id == team_id,
                    CoffeeRoundRow.program_id == program_id,
                    CoffeeRoundRow.status == RoundStatus.SCHEDULED.value,
                )
            )
        )
        if not round_ids:
            return 0
        self._session.execute(
            update(CoffeeRoundRow)
            .where(CoffeeRoundRow.id.in_(round_ids))
            .values(status=RoundStatus.CANCELLED.value, updated_at=now)
        )
        self._session.execute(
            update(CoffeeJobRow)
            .where(CoffeeJobRow.round_id.in_(round_ids), CoffeeJobRow.status == "pending")
            .values(status="cancelled", updated_at=now)
        )
        return len(round_ids)

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

    def update_group(self, team_id: str, group_id: int, **values: Any) -> None:
        """Record a group's DM, intro/check-in message or last error."""
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
        return _rowcount(result) > 0

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
            row = self._session.get(CoffeeFairnessRow, (program_id, user_id))
            if row is None:
                values = {"program_id": program_id, "user_id": user_id, "team_id": team_id}
                insert_if_missing(self._session, CoffeeFairnessRow, values)
                row = self._session.get(CoffeeFairnessRow, (program_id, user_id), populate_existing=True)
                assert row is not None
            row.times_left_out = record.times_left_out
            row.times_in_larger_group = record.times_in_larger_group
            row.last_left_out = record.last_left_out
            row.last_in_larger_group = record.last_in_larger_group
        self._session.flush()

    # --- round steps (leased) -----------------------------------------------------------------------------------

    def add_job(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int:
        """Schedule a step of a round; claimable from ``due_at``."""
        row = CoffeeJobRow(
            team_id=team_id,
            round_id=round_id,
            kind=kind.value,
            due_at=due_at,
            available_at=due_at,
            status="pending",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def claim_jobs(
        self,
        worker_id: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        team_id: str | None = None,
        exclude_teams: Collection[str] = (),
    ) -> list[Job]:
        """Lease due steps, oldest first: of every workspace (or only ``team_id``'s) but the ``exclude_teams``."""
        table: Table = CoffeeJobRow.__table__  # type: ignore[assignment]
        criteria = lease_criteria(table, team_id, exclude_teams)
        statement = claim_statement(table, worker_id, now, lease_until, limit, criteria, also_set={"updated_at": now})
        rows = self._session.execute(statement).all()
        jobs = [Job(row.id, row.team_id, row.round_id, JobKind(row.kind), row.due_at, row.attempts) for row in rows]
        return sorted(jobs, key=lambda job: (job.due_at, job.id))

    def _update_held(self, job_id: int, worker_id: str, **values: Any) -> bool:
        table: Table = CoffeeJobRow.__table__  # type: ignore[assignment]
        return update_held(self._session, table, [job_id], worker_id, values) > 0

    def finish_job(self, job_id: int, worker_id: str, now: datetime) -> bool:
        """The step is done (only if the worker still holds it)."""
        return self._update_held(job_id, worker_id, status="done", claimed_by=None, last_error=None, updated_at=now)

    def retry_job(self, job_id: int, worker_id: str, available_at: datetime, error: str, now: datetime) -> bool:
        """Give the step back to be tried again at ``available_at``."""
        return self._update_held(
            job_id,
            worker_id,
            status="pending",
            claimed_by=None,
            available_at=available_at,
            attempts=CoffeeJobRow.attempts + 1,
            last_error=error[:64],
            updated_at=now,
        )

    def release_job(self, job_id: int, worker_id: str, available_at: datetime, now: datetime) -> bool:
        """Hand a step back without counting an attempt (rate limited, or yielding a long step)."""
        return self._update_held(
            job_id, worker_id, status="pending", claimed_by=None, available_at=available_at, updated_at=now
        )

    def fail_job(self, job_id: int, worker_id: str, error: str, now: datetime) -> bool:
        """End the step for good with the reason."""
        return self._update_held(
            job_id, worker_id, status="failed", claimed_by=None, last_error=error[:64], updated_at=now
        )

    def job_statuses(self, team_id: str, round_id: int) -> dict[str, str]:
        """kind → status of a round's steps (for status output and tests)."""
        rows = self._session.execute(
            select(CoffeeJobRow.kind, CoffeeJobRow.status).where(
                CoffeeJobRow.team_id == team_id, CoffeeJobRow.round_id == round_id
            )
        )
        return {kind: status for kind, status in rows}
