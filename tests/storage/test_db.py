"""storage/db.py: errors never carry bound values (notes), on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import check_url


def test_a_failing_statement_does_not_show_its_parameters(engine: Engine) -> None:
    with pytest.raises(SQLAlchemyError) as raised, engine.connect() as connection:
        connection.execute(text("INSERT INTO no_such_table (note) VALUES (:note)"), {"note": "my private note"})
    assert "my private note" not in str(raised.value)
    assert "hidden" in str(raised.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nonsense", "not a database URL"),
        ("mysql://user:pw@host/db", "not 'mysql'"),
        ("postgresql+nodriver://host/db", "no database driver named 'nodriver'"),
    ],
)
def test_unusable_urls_are_refused_without_echoing_them(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as raised:
        check_url(url)
    assert "pw@" not in str(raised.value)
