"""The set of services handed to handlers and the scheduler (built once by bot.container)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.admin import AdminInsightService
from bot.services.coffee import CoffeeService
from bot.services.data_rights import DataRightsService
from bot.services.followups import FollowUpService
from bot.services.home import HomeService
from bot.services.home_refresh import HomeRefresher
from bot.services.insight import InsightService
from bot.services.interactions import InteractionService
from bot.services.intros import IntroService
from bot.services.mentoring import MentoringService
from bot.services.people import PeopleService
from bot.services.ports import Clock
from bot.services.preferences import PreferencesService
from bot.services.prep import PrepService
from bot.services.reviews import ReviewService
from bot.services.workspaces import WorkspaceService


@dataclass(frozen=True)
class Services:
    """Everything a listener may call. Handlers receive this and nothing lower."""

    clock: Clock
    people: PeopleService
    interactions: InteractionService
    followups: FollowUpService
    preferences: PreferencesService
    coffee: CoffeeService
    insight: InsightService
    prep: PrepService
    home: HomeService
    home_refresh: HomeRefresher
    data_rights: DataRightsService
    admin: AdminInsightService
    intros: IntroService
    reviews: ReviewService
    workspaces: WorkspaceService
    mentoring: MentoringService
