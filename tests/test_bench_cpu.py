"""bench/cpu.py's machine accounting: shares of the cores' time between two /proc/stat readings."""

from __future__ import annotations

import math
import os

import pytest

from bench.cpu import machine_cpu, process_cpu


def test_busy_and_stolen_shares_and_the_others_cpu_per_command() -> None:
    tick = os.sysconf("SC_CLK_TCK")
    # user nice system idle iowait irq softirq steal: 400 ticks in all, 100 idle, 20 waiting on I/O, 40 stolen
    before = [1000, 0, 500, 9000, 100, 0, 10, 50]
    after = [1200, 0, 540, 9100, 120, 0, 10, 90]
    found = machine_cpu(before, after, target_cpu=120 / tick, commands=10)
    assert found is not None
    assert found.busy == pytest.approx(240 / 400)
    assert found.steal == pytest.approx(40 / 400)
    assert found.others_ms_per_command == pytest.approx((240 - 120) / tick * 1000 / 10)


def test_unknown_readings_are_not_an_error() -> None:
    assert machine_cpu([], [1, 2, 3], target_cpu=0.0, commands=1) is None
    assert math.isnan(process_cpu(None))
    assert process_cpu("no-such-process", missing=0.0) == 0.0
