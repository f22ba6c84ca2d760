"""Block Kit for `/network admin`: aggregates only. Pure functions."""

from __future__ import annotations

from bot.domain.insight.admin import AdminReport, PeriodActivity, hidden_note
from bot.services.mentoring import Coverage
from handlers.blocks.common import Message, context, section


def _figure(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _series(periods: list[PeriodActivity] | tuple[PeriodActivity, ...]) -> str:
    return " · ".join(f"{p.label.replace('week of ', '')}: {_figure(p.meetings)}" for p in periods)


def mentoring_line(coverage: Coverage) -> str:
    """Mentoring coverage: people in the programme, mentees matched, and the mean rating of ended matches."""
    rating = "" if coverage.mean_rating is None else f", ended matches rated *{coverage.mean_rating:.1f}*/5 on average"
    return (
        f"• Mentoring: *{coverage.mentors}* mentors, *{coverage.matched_mentees}* of *{coverage.mentees}* mentees "
        f"matched{rating}"
    )


def admin_message(report: AdminReport, mentoring: Coverage | None = None) -> Message:
    """The admin view: active people, weekly meetings, coffee, new cross-team ties, mentoring coverage. No names,
    ever."""
    rate = "—" if report.coffee_met_rate is None else f"{round(report.coffee_met_rate * 100)}%"
    lines = [
        "*Networking in this workspace* (aggregates only)",
        f"• People who logged a meeting in the last 30 days: *{_figure(report.active_people)}*",
        f"• Coffee groups in the last 30 days: *{_figure(report.coffee_groups)}*, of which met: *{rate}*",
        *([mentoring_line(mentoring)] if mentoring is not None else []),
    ]
    blocks = [
        section("\n".join(lines)),
        section("*Meetings logged per week* (last 4)\n" + _series(list(report.weeks)[-4:])),
        section("*New ties across teams per month*\n" + _series(list(report.new_cross_team_ties))),
        context(f"{hidden_note()}. The weekly chart is in your DM. Only admins and owners can see this."),
    ]
    return "Networking in this workspace", blocks
