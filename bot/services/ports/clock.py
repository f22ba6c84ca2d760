"""The clock port."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current time (timezone-aware)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...
