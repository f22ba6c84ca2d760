"""Builds everything once from Settings: engine, unit of work, Slack clients, services.

Slack clients: with SLACK_BOT_TOKEN alone there is one workspace and one token. With OAuth installs
(``settings.oauth_enabled``) every Web API call Rapport makes on its own (sweeps, the directory, coffee, intros) takes
the token of the workspace it acts for from the installation store (``bot.slack.clients.SlackClients``), and Bolt
authorizes each request from the same store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import SystemClock
from bot.domain.models import Interaction
from bot.services.admin import AdminInsightService
from bot.services.breakers import AuthBreakers
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
from bot.services.ports import Clock, UnitOfWork
from bot.services.preferences import PreferencesService
from bot.services.prep import PrepService
from bot.services.registry import Services
from bot.services.reviews import ReviewService
from bot.services.workspaces import WorkspaceService
from bot.settings import Settings
from bot.slack.clients import SlackClients
from bot.slack.coffee import SlackCoffeeAdapter
from bot.slack.directory import SlackUserDirectory
from bot.slack.gateway import SlackGateway
from bot.slack.metered import MeteredWebClient
from bot.slack.ratelimit import RateLimits
from handlers.after_ack import AfterAck
from handlers.blocks.coffee import CoffeeMessages
from handlers.blocks.home import home_view
from handlers.blocks.intro import IntroMessages
from handlers.blocks.mentoring import MentoringMessages
from handlers.blocks.nudges import MAX_NUDGES_PER_MESSAGE, render_delivery
from handlers.blocks.review import review_message
from storage.db import make_engine, make_session_factory
from storage.installations import EncryptedInstallationStore
from storage.secrets import TokenCipher
from storage.uow import SqlUnitOfWork


@dataclass
class Container:
    """The composed application."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    client: WebClient
    services: Services
    after_ack: AfterAck
    clients: SlackClients
    installation_store: EncryptedInstallationStore | None = None

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work (its own session)."""
        return SqlUnitOfWork(self.session_factory)


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """A Web API client (the bot token's, or ``token``'s), pointed at SLACK_API_URL, retrying once on 429."""
    client = MeteredWebClient(token=token or settings.bot_token or None, base_url=settings.api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return client


def make_installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore | None:
    """The OAuth installation store (tokens encrypted with RAPPORT_ENCRYPTION_KEY); None in single-workspace mode."""
    if not settings.oauth_enabled:
        return None
    assert settings.slack_client_id is not None and settings.rapport_encryption_key is not None
    cipher = TokenCipher.from_setting(settings.rapport_encryption_key.get_secret_value())
    return EncryptedInstallationStore(settings.slack_client_id, engine, cipher)


def make_clients(
    settings: Settings, store: EncryptedInstallationStore | None, make: Callable[[str], WebClient] | None = None
) -> SlackClients:
    """Clients by workspace: the one bot token, or each workspace's own from ``store`` (refreshed when rotating)."""
    build = make or (lambda token: make_client(settings, token))
    if store is None:
        return SlackClients.single(build(settings.bot_token))
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    rotator = TokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        client=WebClient(base_url=settings.api_url, timeout=10),
    )
    return SlackClients.installed(store, build, rotator=rotator, rotate_minutes=settings.rapport_token_rotation_minutes)


def _gateway_client(settings: Settings, token: str) -> WebClient:
    return MeteredWebClient(token=token or None, base_url=settings.api_url, timeout=10)


def make_gateway(settings: Settings, store: EncryptedInstallationStore | None = None) -> SlackGateway:
    """The outbound gateway for scheduled work, on its own clients (it installs its own retry handlers)."""
    clients: WebClient | SlackClients = (
        _gateway_client(settings, settings.bot_token)
        if store is None
        else make_clients(settings, store, lambda token: _gateway_client(settings, token))
    )
    # A burst of 0.1 s worth: posting at exactly Slack's rate with a full-second burst leaves Slack's bucket empty,
    # and then any network jitter that bunches two posts earns a 429.
    burst = max(1, round(settings.rapport_slack_posts_per_second / 10))
    return SlackGateway(clients, limits=RateLimits.with_post_ceiling(settings.rapport_slack_posts_per_second, burst))


def build_container(settings: Settings, clock: Clock | None = None, engine: Engine | None = None) -> Container:
    """Compose the application from settings (clock and engine injectable for the sandbox and tests)."""
    clock = clock or SystemClock()
    engine = engine or make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(session_factory)

    store = make_installation_store(settings, engine)
    clients = make_clients(settings, store)
    client = clients.for_team(None) if store is None else make_client(settings)
    people = PeopleService(
        uow_factory,
        SlackUserDirectory(clients),
        clock,
        ttl=timedelta(hours=settings.rapport_directory_ttl_hours),
    )
    interactions = InteractionService(uow_factory, people, clock)
    gateway = make_gateway(settings, store)
    # One set of per-workspace auth breakers for every sweep: a token Slack refuses pauses all of that workspace's
    # scheduled work, and one successful auth.test resumes all of it.
    breakers = AuthBreakers(uow_factory, gateway, clock)
    followups = FollowUpService(
        uow_factory,
        people,
        clock,
        gateway,
        render_delivery,
        lease=timedelta(seconds=settings.rapport_sweep_lease_seconds),
        batch=settings.rapport_sweep_batch,
        threads=settings.rapport_sweep_threads,
        max_per_digest=min(10, MAX_NUDGES_PER_MESSAGE),
        breakers=breakers,
    )
    interactions.add_hook(followups.on_interaction_logged, many=followups.on_interactions_logged)
    coffee = CoffeeService(
        uow_factory,
        people,
        SlackCoffeeAdapter(gateway, clients),
        CoffeeMessages(),
        clock,
        lease=timedelta(seconds=settings.rapport_sweep_lease_seconds),
        breakers=breakers,
    )
    # "We met" in a coffee round schedules follow-ups exactly like a /met.
    coffee.add_hook(followups.on_interaction_logged)
    preferences = PreferencesService(followups, people, clock)
    insight = InsightService(uow_factory, people, clock)
    intros = IntroService(uow_factory, people, SlackCoffeeAdapter(gateway, clients), IntroMessages(), clock)
    # "We met" on an introduction, and the introduction itself, schedule follow-ups like a /met.
    intros.add_hook(followups.on_interaction_logged)
    reviews = ReviewService(
        uow_factory,
        people,
        insight,
        followups,
        gateway,
        review_message,
        breakers,
        clock,
        lease=timedelta(seconds=settings.rapport_sweep_lease_seconds),
    )
    mentoring = MentoringService(
        uow_factory,
        people,
        SlackCoffeeAdapter(gateway, clients),
        MentoringMessages(),
        clock,
        breakers,
        lease=timedelta(seconds=settings.rapport_sweep_lease_seconds),
    )
    # "We met" on a mentoring check-in schedules follow-ups like a /met.
    mentoring.add_hook(followups.on_interaction_logged)
    # Whoever logs a meeting (by /met, a coffee "We met", an introduction or mentoring) gets a weekly review.
    interactions.add_hook(reviews.on_interaction_logged, many=reviews.on_interactions_logged)
    for other in (coffee, intros, mentoring):
        other.add_hook(reviews.on_interaction_logged)
    home = HomeService(uow_factory, people, insight, followups, clock, mentoring=mentoring.summary)
    home_refresh = HomeRefresher(home, gateway, home_view)

    def redraw_author(uow: UnitOfWork, interaction: Interaction, _now: datetime) -> None:
        # After commit: a redraw that started earlier would not see the meeting.
        uow.after_commit(lambda: home_refresh.changed(interaction.team_id, interaction.author_id))

    # Whatever logs a meeting (/met, a coffee "We met", an introduction, a mentoring "We met") or deletes one redraws
    # the author's Home.
    for source in (interactions, coffee, intros, mentoring):
        source.add_hook(redraw_author)
    interactions.on_deleted(home_refresh.changed)

    # The tab shows this round's coffee group and one's mentoring standing: a new group, or a mentoring click,
    # redraws the people it concerns (coalesced and paced like any redraw).
    def redraw_group(team_id: str, members: tuple[str, ...]) -> None:
        for member in members:
            home_refresh.changed(team_id, member)

    coffee.on_grouped(redraw_group)
    coffee.on_member_changed(home_refresh.changed)
    mentoring.on_changed(home_refresh.changed)
    services = Services(
        clock=clock,
        people=people,
        interactions=interactions,
        followups=followups,
        preferences=preferences,
        coffee=coffee,
        insight=insight,
        prep=PrepService(uow_factory, people, clock),
        home=home,
        home_refresh=home_refresh,
        data_rights=DataRightsService(uow_factory, clock, timedelta(days=settings.rapport_deactivated_retention_days)),
        admin=AdminInsightService(uow_factory, SlackUserDirectory(clients), clock),
        intros=intros,
        reviews=reviews,
        workspaces=WorkspaceService(
            uow_factory,
            breakers,
            _InstalledTokens(store),
            clock,
            timedelta(days=settings.rapport_uninstall_retention_days),
            on_forget=[clients.forget, gateway.forget_team, people.forget_workspace, interactions.forget_workspace],
        ),
        mentoring=mentoring,
    )
    return Container(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        client=client,
        services=services,
        after_ack=AfterAck(settings.rapport_after_ack_threads),
        clients=clients,
        installation_store=store,
    )


class _InstalledTokens:
    """Deletes a workspace's install from the store (single-workspace mode: nothing, the token is configuration)."""

    def __init__(self, store: EncryptedInstallationStore | None) -> None:
        self._store = store

    def delete(self, team_id: str) -> None:
        if self._store is not None:
            self._store.delete_all(enterprise_id=None, team_id=team_id)
