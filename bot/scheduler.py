"""APScheduler wiring: periodic sweeps only; the database holds what is due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler

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
    ]


def _guarded(sweep: Sweep) -> Callable[[], None]:
    def run() -> None:
        try:
            sweep.run()
        except Exception:  # a failed sweep must not kill the scheduler; the rows stay due and are retried
            logger.exception("sweep %s failed", sweep.job_id)

    return run


def build_scheduler(services: Services, interval_seconds: int) -> BackgroundScheduler:
    """A BackgroundScheduler running every sweep every ``interval_seconds`` (not started)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for sweep in sweeps_for(services):
        scheduler.add_job(_guarded(sweep), "interval", seconds=interval_seconds, id=sweep.job_id, replace_existing=True)
    return scheduler
