"""Operating Rapport: backups of the embedded database, and replicas that start together migrating once."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage import migrate
from storage.db import make_engine
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.e2e.test_run_process import RAPPORT


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = url
    return env


def test_db_backup_copies_a_live_sqlite_database(tmp_path: Path) -> None:
    source = tmp_path / "rapport.db"
    engine = make_engine(f"sqlite:///{source}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspaces (team_id, name, created_at) VALUES ('T1', 'Acme', '2026-12-07 00:00:00')")
        )
    reader = engine.connect()  # the bot still has the database open
    try:
        target = tmp_path / "backups" / "rapport-2026-12-07.db"
        done = subprocess.run(
            [str(RAPPORT), "db", "backup", str(target)],
            env=_env(f"sqlite:///{source}"),
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr.decode()
        with sqlite3.connect(target) as copy:
            assert copy.execute("SELECT name FROM workspaces").fetchall() == [("Acme",)]
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (migrate.head_revision(),)
        again = subprocess.run(
            [str(RAPPORT), "db", "backup", str(target)],
            env=_env(f"sqlite:///{source}"),
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        assert again.returncode == 2 and b"already exists" in again.stderr and b"Traceback" not in again.stderr
    finally:
        reader.close()
        engine.dispose()


def test_db_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    url, admin = create_postgres_database()
    try:
        done = subprocess.run(
            [str(RAPPORT), "db", "backup", str(tmp_path / "x.db")],
            env=_env(url),
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 2 and b"pg_dump" in done.stderr and b"Traceback" not in done.stderr
    finally:
        drop_postgres_database(url, admin)


@pytest.mark.slow
def test_three_replicas_starting_together_migrate_once(tmp_path: Path) -> None:
    url, admin = create_postgres_database()
    try:
        processes = [
            subprocess.Popen(
                [str(RAPPORT), "db", "upgrade"],
                env=_env(url),
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(3)
        ]
        results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in processes]
        assert [code for code, _ in results] == [0, 0, 0], results
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
        engine.dispose()
        assert versions == [(migrate.head_revision(),)]
    finally:
        drop_postgres_database(url, admin)


def test_keys_generate_and_rotate_through_the_cli(tmp_path: Path) -> None:
    from storage.installations import EncryptedInstallationStore
    from storage.secrets import TokenCipher
    from tests.storage.test_installations import install

    url = f"sqlite:///{tmp_path / 'rapport.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    generated = [
        subprocess.run([str(RAPPORT), "keys", "generate"], capture_output=True, timeout=60, check=True)
        .stdout.decode()
        .strip()
        for _ in range(2)
    ]
    old, new = generated
    assert old != new
    EncryptedInstallationStore("1.2", engine, TokenCipher([old])).save(install("T0ACME0001"))
    env = {**_env(url), "RAPPORT_ENCRYPTION_KEY": f"{new},{old}"}
    done = subprocess.run([str(RAPPORT), "keys", "rotate"], env=env, cwd=tmp_path, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    bot = EncryptedInstallationStore("1.2", engine, TokenCipher([new])).find_bot(
        enterprise_id=None, team_id="T0ACME0001"
    )
    assert bot is not None and bot.bot_token == "xoxb-111-222-secret"
    wrong = subprocess.run(
        [str(RAPPORT), "keys", "rotate"],
        env={**_env(url), "RAPPORT_ENCRYPTION_KEY": TokenCipher.generate_key()},
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and b"not in RAPPORT_ENCRYPTION_KEY" in wrong.stderr
    assert b"Traceback" not in wrong.stderr and new.encode() not in wrong.stderr
    engine.dispose()
