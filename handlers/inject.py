"""The services in Bolt's context, so listeners are plain module-level functions.

Decision: one global middleware puts each service (and the after-ack pool) into every request's ``context`` under
its name (``context["coffee"]``, ``context["interactions"]``, ``context["after_ack"]``…), and a listener reads what it
needs from there, as in Slack's bolt-python starter template. So a listener can be called in a unit test with a
fake ``ack``/``respond`` and a context holding fakes, and registering one is a line. Rejected: listeners as closures
inside ``register(app, services)`` (the earlier shape), which could only be reached through a whole App.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest

from bot.services.registry import Services
from handlers.after_ack import AfterAck
from handlers.middleware import direct


def provided(services: Services, after_ack: AfterAck) -> dict[str, Any]:
    """What the middleware puts into each request's context, by name."""
    return {
        "clock": services.clock,
        "people": services.people,
        "interactions": services.interactions,
        "followups": services.followups,
        "preferences": services.preferences,
        "coffee": services.coffee,
        "insight": services.insight,
        "prep": services.prep,
        "home": services.home,
        "home_refresh": services.home_refresh,
        "data_rights": services.data_rights,
        "admin": services.admin,
        "intros": services.intros,
        "reviews": services.reviews,
        "workspaces": services.workspaces,
        "mentoring": services.mentoring,
        "after_ack": after_ack,
    }


def register(app: App, services: Services, after_ack: AfterAck) -> None:
    """Install the middleware that hands the services to every listener through its ``context``."""
    values = provided(services, after_ack)

    def provide_services(request: BoltRequest, next_: Callable[[], None]) -> None:
        request.context.update(values)
        next_()

    app.middleware(direct(provide_services))
