"""CPU accounting for the benchmarks, from Linux's /proc: one process's CPU, and where the whole machine's went.

Off Linux every reading is unknown (NaN, or ``missing``) rather than an error, so a benchmark still runs.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclasses.dataclass(frozen=True)
class MachineCpu:
    """Where the machine's CPU went over a span (from /proc/stat): busy and stolen shares of all cores' time, and
    busy core-seconds not spent in the target process (PostgreSQL, the load, the fake Slack, anything else)."""

    busy: float
    steal: float
    others_ms_per_command: float


def machine_ticks() -> list[int]:
    """The aggregate ``cpu`` line of /proc/stat (user nice system idle iowait irq softirq steal …); [] off Linux."""
    try:
        return [int(field) for field in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return []


def machine_cpu(before: list[int], after: list[int], target_cpu: float, commands: int) -> MachineCpu | None:
    """Busy and stolen shares between two ``machine_ticks`` readings, and the others' CPU per command."""
    if not before or not after:
        return None
    delta = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(delta[:8]) or 1
    idle = delta[3] + delta[4]
    steal = delta[7] if len(delta) > 7 else 0
    busy_seconds = (total - idle - steal) / _TICK
    return MachineCpu(
        busy=(total - idle - steal) / total,
        steal=steal / total,
        others_ms_per_command=max(busy_seconds - target_cpu, 0.0) * 1000 / commands,
    )


def process_cpu(pid: int | str | None, missing: float = float("nan")) -> float:
    """CPU seconds (user + system, all threads) a process has used so far; ``missing`` when it is gone or unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return missing
    return (int(fields[11]) + int(fields[12])) / _TICK


def postgres_cpu() -> float:
    """CPU seconds used so far by every process named postgres on this machine (the server and its backends)."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                    total += process_cpu(pid, missing=0.0)
            except OSError:
                continue
    return total
