"""APScheduler wiring: periodic sweeps only; the database holds what is due."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

from bot.metrics import SWEEP_CLAIMED, SWEEP_FAILURES, SWEEP_SECONDS, SweepHealth
from bot.services.registry import Services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """A periodic job: ``run`` claims and performs whatever is due at the services' clock."""

    job_id: str
    run: Callable[[], object]


def sweeps_for(services: Services) -> list[Sweep]:
    """Every sweep Rapport runs (features add theirs here)."""
    return [
        Sweep("followups.cadences", services.followups.sweep_cadences),
        Sweep("followups.nudges", services.followups.sweep),
        Sweep("coffee.rounds", services.coffee.sweep),
        Sweep("insight.reviews", services.reviews.sweep),
        Sweep("mentoring.jobs", services.mentoring.sweep),
        Sweep("data.retention", services.data_rights.forget_departed),
        Sweep("workspaces.purge", services.workspaces.purge_departed),
    ]


def _guarded(sweep: Sweep, health: SweepHealth | None) -> Callable[[], None]:
    def run() -> None:
        started = time.perf_counter()
        try:
            result = sweep.run()
        except Exception:  # a failed sweep must not kill the scheduler; the rows stay due and are retried
            SWEEP_FAILURES.labels(sweep=sweep.job_id).inc()
            logger.exception("sweep %s failed", sweep.job_id)
            return
        SWEEP_SECONDS.labels(sweep=sweep.job_id).observe(time.perf_counter() - started)
        claimed = result if isinstance(result, int) else getattr(result, "claimed", 0)
        if isinstance(claimed, int) and claimed > 0:
            SWEEP_CLAIMED.labels(sweep=sweep.job_id).inc(claimed)
        if health is not None:
            health.finished(sweep.job_id)

    return run


def build_scheduler(
    services: Services, interval_seconds: int, health: SweepHealth | None = None
) -> BackgroundScheduler:
    """A BackgroundScheduler running every sweep every ``interval_seconds`` (not started); each run is timed and
    counted, and ``health`` hears when one finishes."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    sweeps = sweeps_for(services)
    if health is not None:
        health.expect(sweep.job_id for sweep in sweeps)
    for sweep in sweeps:
        scheduler.add_job(
            _guarded(sweep, health), "interval", seconds=interval_seconds, id=sweep.job_id, replace_existing=True
        )
    return scheduler
