"""Block Kit → text rendering (demo transcripts and readable assertions)."""

from __future__ import annotations

from bot.sandbox.records import FakeMessage
from bot.sandbox.render import mrkdwn_to_text, render_blocks, render_message, render_view
from tests.sandbox.bolt_app import UNDO_BLOCKS, form_view


def test_mentions_and_links() -> None:
    names = {"U0RPT00001": "maya"}
    text = "Met <@U0RPT00001> and <@U0RPT00002|lee> in <#C1|coffee> — <https://x.example|notes> &amp; more"
    assert mrkdwn_to_text(text, names.get) == "Met @maya and @lee in #coffee — notes (https://x.example) & more"
    assert mrkdwn_to_text("<!here> hi") == "@here hi"


def test_blocks_number_interactive_elements() -> None:
    rendered = render_blocks(UNDO_BLOCKS)
    assert rendered.text == "Logged.\n  [1] Undo\n  [2] static select ▾ (Coffee / Lunch)"
    assert rendered.action_id(1) == "met_undo"
    assert rendered.action_id(2) == "pick_kind"


def test_message_without_blocks_and_ephemeral() -> None:
    message = FakeMessage(ts="1.000001", channel="D1", user="U1", text="Hi <@U2|lee>", ephemeral_to="U3")
    assert render_message(message).text == "(only visible to you) Hi @lee"


def test_view_with_inputs() -> None:
    text = render_view(form_view()).text
    assert text.startswith("## Log a meeting\nWho: [1] users select ▾")
    assert "Notes (optional): [5] ____" in text
    assert text.endswith("<Save>")


def test_other_blocks() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your week"}},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "3 meetings"}]},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*A*"}, {"type": "mrkdwn", "text": "*B*"}]},
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": "hi "}, {"type": "user", "user_id": "U9"}],
                }
            ],
        },
        {"type": "image", "image_url": "https://x.example/a.png", "alt_text": "chart"},
    ]
    assert render_blocks(blocks).text == "== Your week ==\n----\n  3 meetings\n*A*\n*B*\nhi @U9\n[image: chart]"
