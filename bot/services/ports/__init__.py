"""Ports the services depend on; adapters in storage/ and bot/slack/ implement them.

One module per area; everything is re-exported here, so ``from bot.services.ports import X`` keeps working.
"""

from __future__ import annotations

from bot.services.ports.admin import AdminDirectory, WorkspaceInsight
from bot.services.ports.clock import Clock
from bot.services.ports.coffee import (
    ChannelInfo,
    CoffeeJobRepository,
    CoffeeProgrammeRepository,
    CoffeeRoundRepository,
    CoffeeSlack,
)
from bot.services.ports.door import AuthBreakerRepository, AuthProbe, InstalledTokens, SeenRequests
from bot.services.ports.followups import (
    CadenceRepository,
    ContactHistory,
    MessageSender,
    NudgeRepository,
    NudgeSettingsRepository,
)
from bot.services.ports.insight import InsightRepository
from bot.services.ports.interactions import InteractionRepository
from bot.services.ports.leases import LeasedQueue, LeasedRow
from bot.services.ports.people import DirectoryLookupError, PeopleRepository, SlackDirectory, WorkspaceRepository
from bot.services.ports.personal_data import PersonalData
from bot.services.ports.unit_of_work import Transaction, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AdminDirectory",
    "AuthBreakerRepository",
    "AuthProbe",
    "CadenceRepository",
    "ChannelInfo",
    "Clock",
    "CoffeeJobRepository",
    "CoffeeProgrammeRepository",
    "CoffeeRoundRepository",
    "CoffeeSlack",
    "ContactHistory",
    "DirectoryLookupError",
    "InsightRepository",
    "InstalledTokens",
    "InteractionRepository",
    "LeasedQueue",
    "LeasedRow",
    "MessageSender",
    "NudgeRepository",
    "NudgeSettingsRepository",
    "PeopleRepository",
    "PersonalData",
    "SeenRequests",
    "SlackDirectory",
    "Transaction",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WorkspaceInsight",
    "WorkspaceRepository",
]
