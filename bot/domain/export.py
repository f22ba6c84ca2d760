"""A person's data export as files: one JSON with everything, and CSVs of the tables people open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

CSV_SECTIONS = ("interactions", "follow_ups", "cadences")


def export_files(
    sections: Mapping[str, Sequence[Mapping[str, Any]]], exported_at: datetime, team_id: str, user_id: str
) -> dict[str, bytes]:
    """``rapport-export.json`` (every section) and one CSV per section in ``CSV_SECTIONS`` that has rows."""
    document = {
        "format": "rapport-export/1",
        "exported_at": exported_at.isoformat(),
        "workspace": team_id,
        "person": user_id,
        "sections": {name: list(rows) for name, rows in sections.items()},
    }
    files = {"rapport-export.json": json.dumps(document, indent=2, ensure_ascii=False, default=str).encode("utf-8")}
    for name in CSV_SECTIONS:
        rows = list(sections.get(name) or [])
        if rows:
            files[f"rapport-{name.replace('_', '-')}.csv"] = _csv(rows)
    return files


def _csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # Spreadsheets run a cell starting with = + - @ as a formula: a note typed as "=HYPERLINK(…)" must stay text.
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
