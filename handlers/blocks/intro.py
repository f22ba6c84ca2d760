"""Block Kit for `/intro`: the group DM that connects two people. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.models import Person
from bot.domain.user_text import render_user_text
from handlers import ids
from handlers.blocks.common import Block, Message, button, context, section


class IntroMessages:
    """The renderer IntroService uses (bot.services.ports.intros.IntroRenderer)."""

    def introduction(
        self, introduction_id: int, introducer: str, people: Sequence[Person], intros: dict[str, str], reason: str
    ) -> Message:
        """Who introduced whom and why (inert), who each person is, and a "We met" button for the two."""
        members = [introducer, *(person.user_id for person in people)]
        lines = [f"<@{introducer}> thinks you two should meet:", f"> {render_user_text(reason, audience=members)}"]
        for person in people:
            role = " · ".join(part for part in (person.title, person.department) if part)
            line = f"• <@{person.user_id}>" + (f" — {render_user_text(role, escaped=False)}" if role else "")
            if intros.get(person.user_id):
                line += f"\n    _{render_user_text(intros[person.user_id], audience=members)}_"
            lines.append(line)
        blocks: list[Block] = [
            section("\n".join(lines)),
            {
                "type": "actions",
                "block_id": "intro_actions",
                "elements": [button("We met", ids.INTRO_MET_ACTION, str(introduction_id), style="primary")],
            },
            context("When you've met, either of you can press *We met*: it's logged for both of you."),
        ]
        return f"<@{introducer}> introduced you", blocks
