"""Shared fixtures: real databases (SQLite file and PostgreSQL), migrated with Alembic."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import make_engine, make_session_factory, normalise_url
from storage.uow import SqlUnitOfWork

POSTGRES_ENV = "RAPPORT_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """The server URL from the environment; in CI its absence is a failure, locally a skip."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: PostgreSQL tests must run there")
        pytest.skip(f"{POSTGRES_ENV} not set")
    return normalise_url(url)


def create_postgres_database(prefix: str = "rapport_test") -> tuple[str, Engine]:
    """Create a uniquely named database on the test server; returns its URL and an admin engine to drop it."""
    admin_url = postgres_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {make_url(admin_url).render_as_string()} is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), admin


def drop_postgres_database(url: str, admin: Engine) -> None:
    """Drop a database made by create_postgres_database."""
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database per backend, shared by a worker's tests (they isolate by unique team ids)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'rapport.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    url, admin = create_postgres_database()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(url, admin)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine):  # type: ignore[no-untyped-def]
    """A factory of real SQL units of work."""
    factory = make_session_factory(engine)
    return lambda: SqlUnitOfWork(factory)


@pytest.fixture
def team_id() -> str:
    """A workspace id unique to the test, so tests sharing a database never see each other's rows."""
    return "T" + uuid.uuid4().hex[:10].upper()
