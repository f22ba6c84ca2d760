"""The port for one person's data as a whole (export and forget)."""

from __future__ import annotations

from typing import Any, Protocol


class PersonalData(Protocol):
    """Everything stored about one person (storage.repositories.personal_data.SqlPersonalData)."""

    def export(self, team_id: str, user_id: str) -> dict[str, list[dict[str, Any]]]: ...

    def holds_anything(self, team_id: str, user_id: str) -> bool: ...

    def forget(self, team_id: str, user_id: str) -> int: ...

    def purge_workspace(self, team_id: str) -> int:
        """Delete every row the workspace has, in every table; returns how many."""
        ...
