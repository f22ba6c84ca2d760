"""Coffee-round storage, by what it stores: programmes (with member state, intro lines and avoid lists), rounds
(with groups, notices and the fairness ledger) and the rounds' leased steps (jobs)."""

from __future__ import annotations

from storage.repositories.coffee.jobs import SqlCoffeeJobRepository
from storage.repositories.coffee.programmes import SqlCoffeeProgrammeRepository
from storage.repositories.coffee.rounds import SqlCoffeeRoundRepository

__all__ = ["SqlCoffeeJobRepository", "SqlCoffeeProgrammeRepository", "SqlCoffeeRoundRepository"]
