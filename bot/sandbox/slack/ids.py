"""Id minting: Slack-shaped ids and message timestamps, unique and increasing within one fake Slack."""

from __future__ import annotations

from collections.abc import Callable


class IdMint:
    """Slack-shaped ids (D0…, V0…, F0…) and message timestamps, unique and increasing."""

    def __init__(self, wall_clock: Callable[[], float]) -> None:
        self._wall_clock = wall_clock
        self._counter = 0
        self._last_ts = 0.0

    def number(self) -> int:
        """The next serial number."""
        self._counter += 1
        return self._counter

    def next_id(self, prefix: str) -> str:
        """A new id with this prefix: 'D' → 'D000000012'."""
        return f"{prefix}0{self.number():08d}"

    def seconds(self) -> int:
        """The wall clock in whole seconds (view hashes, trigger ids)."""
        return int(self._wall_clock())

    def ts(self) -> str:
        """A message ts from the wall clock, always after the previous one."""
        now = max(self._wall_clock(), self._last_ts + 0.000001)
        self._last_ts = round(now, 6)
        return f"{self._last_ts:.6f}"
