"""Sweep cost is O(due), not O(pending): one sweep's claim step vs a bare indexed SELECT of the same due rows.

1,000,000 pending nudges of which 1,000 are due; the claim (``SqlNudgeRepository.claim``: UPDATE … WHERE id IN
(SELECT … FOR UPDATE SKIP LOCKED) RETURNING …, committed) is timed against a plain
``SELECT … WHERE status IN ('pending','claimed') AND available_at <= now ORDER BY available_at LIMIT 1000`` on the
same database in the same run (median of several repeats; claimed rows are put back between repeats, untimed).

.venv/bin/python -m bench.followups_claim                      # SQLite (temp file), and PostgreSQL if reachable
.venv/bin/python -m bench.followups_claim --pending 100000     # smaller
PostgreSQL: RAPPORT_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); a private database is
created and dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import make_engine, make_session_factory, normalise_url
from storage.models import CLAIMABLE_SQL, NudgeRow
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
TEAM = "TBENCH"
REPEATS = 7


def _ts(value: datetime, sqlite: bool) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value.isoformat()


def seed(engine: Engine, pending: int, due: int) -> None:
    """``pending`` rows in the future and ``due`` rows in the past, generated inside the database."""
    sqlite = engine.dialect.name == "sqlite"
    now = NOW
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspaces (team_id, name, created_at) VALUES (:t, '', :c)"),
            {"t": TEAM, "c": _ts(now, sqlite) if sqlite else now},
        )
        columns = (
            "team_id, user_id, contact_id, kind, due_at, available_at, status, attempts, in_doubt, created_at, "
            "updated_at"
        )
        if sqlite:
            # Future rows: 1 s apart starting a day ahead; due rows: 1 s apart ending an hour ago.
            for start, count, sign in ((1, pending, 1), (3600, due, -1)):
                connection.exec_driver_sql(
                    f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1}) "
                    f"INSERT INTO nudges ({columns}) SELECT '{TEAM}', 'U' || (i % 50000), 'C' || (i % 7919), "
                    f"'follow_up', datetime('{_ts(now, True)}', '{sign * (86400 if sign > 0 else start)} seconds', "
                    f"(CASE WHEN {sign} > 0 THEN i ELSE -i END) || ' seconds'), "
                    f"datetime('{_ts(now, True)}', '{sign * (86400 if sign > 0 else start)} seconds', "
                    f"(CASE WHEN {sign} > 0 THEN i ELSE -i END) || ' seconds'), 'pending', 0, 0, "
                    f"'{_ts(now, True)}', '{_ts(now, True)}' FROM n"
                )
        else:
            for offset, count, sign in (("1 day", pending, 1), ("-1 hour", due, -1)):
                connection.exec_driver_sql(
                    f"INSERT INTO nudges ({columns}) SELECT '{TEAM}', 'U' || mod(i, 50000), 'C' || mod(i, 7919), "
                    f"'follow_up', TIMESTAMPTZ '{now.isoformat()}' + INTERVAL '{offset}' + {sign} * i * INTERVAL "
                    f"'1 second', TIMESTAMPTZ '{now.isoformat()}' + INTERVAL '{offset}' + {sign} * i * INTERVAL "
                    f"'1 second', 'pending', 0, false, TIMESTAMPTZ '{now.isoformat()}', "
                    f"TIMESTAMPTZ '{now.isoformat()}' FROM generate_series(0, {count - 1}) AS i"
                )
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE" if sqlite else "ANALYZE nudges")


def bare_select(engine: Engine, due: int) -> float:
    """Time the bare indexed SELECT of the due rows: every column, typed (aware datetimes), as storage reads rows."""
    table = NudgeRow.__table__
    statement = (
        select(table).where(text(CLAIMABLE_SQL), table.c.available_at <= NOW).order_by(table.c.available_at).limit(due)
    )
    with engine.connect() as connection:
        started = time.perf_counter()
        rows = connection.execute(statement).all()
        elapsed = time.perf_counter() - started
    assert len(rows) == due, len(rows)
    return elapsed


def raw_select(engine: Engine, due: int) -> float:
    """The same SELECT as untyped DB-API rows (datetimes left as the driver gives them): the floor, for reference."""
    statement = text(
        "SELECT * FROM nudges WHERE status IN ('pending', 'claimed') AND available_at <= :now "
        "ORDER BY available_at LIMIT :n"
    )
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        started = time.perf_counter()
        rows = connection.execute(statement, {"now": _ts(NOW, True) if sqlite else NOW, "n": due}).all()
        elapsed = time.perf_counter() - started
    assert len(rows) == due, len(rows)
    return elapsed


def claim(engine: Engine, due: int) -> float:
    """Time one sweep's claim step through the real repository and unit of work (commit included)."""
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with SqlUnitOfWork(factory) as uow:
        claimed = uow.nudges.claim("bench", NOW, NOW + timedelta(minutes=5), due)
        uow.commit()
    elapsed = time.perf_counter() - started
    assert len(claimed) == due, len(claimed)
    return elapsed


def put_back(engine: Engine) -> None:
    """Undo the claim (untimed) so the next repeat sees the same due rows."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE nudges SET status = 'pending', claimed_by = NULL, available_at = due_at "
                "WHERE status = 'claimed'"
            )
        )
        if not sqlite:
            connection.exec_driver_sql("SELECT 1")


def explain(engine: Engine) -> str:
    """The plan of the claim's candidate query (to show the index is used)."""
    sqlite = engine.dialect.name == "sqlite"
    query = (
        "SELECT id FROM nudges WHERE status IN ('pending', 'claimed') AND available_at <= :now "
        "ORDER BY available_at LIMIT 1000"
    )
    with engine.connect() as connection:
        if sqlite:
            rows = connection.execute(text("EXPLAIN QUERY PLAN " + query), {"now": _ts(NOW, True)}).all()
            return "; ".join(str(row[-1]) for row in rows)
        rows = connection.execute(text("EXPLAIN " + query), {"now": NOW}).all()
        return " | ".join(str(row[0]).strip() for row in rows[:3])


def run(engine: Engine, label: str, pending: int, due: int) -> None:
    """Seed, then time both steps alternately and print medians and the ratio."""
    migrate.upgrade(engine)
    started = time.perf_counter()
    seed(engine, pending, due)
    print(f"\n{label}: seeded {pending:,} pending + {due:,} due nudges in {time.perf_counter() - started:.1f} s")
    print(f"  plan: {explain(engine)}")
    selects: list[float] = []
    raws: list[float] = []
    claims: list[float] = []
    bare_select(engine, due)  # warm the caches
    claim(engine, due)
    put_back(engine)
    for _ in range(REPEATS):
        selects.append(bare_select(engine, due))
        raws.append(raw_select(engine, due))
        claims.append(claim(engine, due))
        put_back(engine)
    select_ms = statistics.median(selects) * 1000
    raw_ms = statistics.median(raws) * 1000
    claim_ms = statistics.median(claims) * 1000
    print(f"  bare indexed SELECT of {due:,} due rows (typed): median {select_ms:7.2f} ms")
    print(f"  same SELECT, untyped DB-API rows:            median {raw_ms:7.2f} ms")
    print(f"  claim step (UPDATE…RETURNING, commit):       median {claim_ms:7.2f} ms")
    print(
        f"  ratio claim / typed SELECT: {claim_ms / select_ms:.2f}x (target ≤ 3x); / untyped: {claim_ms / raw_ms:.2f}x"
    )


def main() -> None:
    """Run on SQLite and, when reachable, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/claim.db")
        try:
            run(engine, "SQLite", args.pending, args.due)
        finally:
            engine.dispose()
    if args.skip_postgres:
        return
    admin_url = normalise_url(os.environ.get("RAPPORT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # a missing server only skips the PostgreSQL half
        print(f"\nPostgreSQL skipped: {error}")
        return
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    try:
        run(engine, "PostgreSQL", args.pending, args.due)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
