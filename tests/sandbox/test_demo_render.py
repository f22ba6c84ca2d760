"""Block Kit → terminal text for `rapport demo` (bot.sandbox.demo_render)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.demo.render import Directory, describe_element, mrkdwn, render_blocks, render_message, render_view

NAMES = Directory(users={"U1": "maya", "U2": "lee"}, channels={"C1": "coffee"})


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


SNOOZE = {
    "type": "static_select",
    "action_id": "snooze",
    "placeholder": plain("Snooze"),
    "options": [option("1 day", "1"), option("3 days", "3"), option("1 week", "7")],
}


def test_mentions_channels_and_specials() -> None:
    text = "Met <@U1> and <@U9|nora> in <#C1> and <#C7|launch> <!here> <!subteam^S1|@eng> <!date^1|Monday>"
    assert mrkdwn(text, NAMES) == "Met @maya and @nora in #coffee and #launch @here @eng Monday"
    assert mrkdwn("<@U8> <#C8>") == "@U8 #C8", "unknown ids stay readable"


def test_links_and_escapes_back_to_characters() -> None:
    assert mrkdwn("<https://x.example|notes> <https://y.example> <mailto:a@b.example|mail>") == (
        "notes (https://x.example) https://y.example mail (mailto:a@b.example)"
    )
    assert mrkdwn("a &amp; b &lt;c&gt; &amp;lt;") == "a & b <c> &lt;"
    assert mrkdwn(":white_check_mark: *bold* _it_ ~old~") == "✅ bold it old", "markers dropped off a terminal"
    ansi = mrkdwn("*bold* _it_ ~old~", Directory(ansi=True))
    assert ansi == "\033[1mbold\033[0m \033[3mit\033[0m \033[9mold\033[0m"
    assert mrkdwn("snake_case_name 2*3*4 `*code*` :no_such_emoji:") == "snake_case_name 2*3*4 `*code*` :no_such_emoji:"
    assert mrkdwn("&gt; quoted\nplain") == "▎ quoted\nplain"


def test_buttons_and_selects_are_numbered_across_blocks() -> None:
    blocks = [
        {"type": "section", "text": md("You met <@U1>. Follow up?")},
        {
            "type": "actions",
            "block_id": "b1",
            "elements": [{"type": "button", "text": plain("Undo"), "action_id": "undo", "value": "7"}, SNOOZE],
        },
        {"type": "section", "text": md("Pick one"), "accessory": {**SNOOZE, "action_id": "other"}},
    ]
    screen = render_blocks(blocks, NAMES, first_number=4)
    assert screen.lines == [
        "You met @maya. Follow up?",
        "[4] Undo  [5] Snooze ▾ (1 day / 3 days / 1 week)",
        "Pick one  [6] Snooze ▾ (1 day / 3 days / 1 week)",
    ]
    assert [(c.number, c.action_id, c.block_id) for c in screen.choices] == [
        (4, "undo", "b1"),
        (5, "snooze", "b1"),
        (6, "other", None),
    ]
    assert screen.choices[1].options() == [("1 day", "1"), ("3 days", "3"), ("1 week", "7")]


def test_long_rows_of_buttons_wrap_one_per_line() -> None:
    buttons = [
        {"type": "button", "text": plain(f"A rather long button label {n}"), "action_id": f"b{n}"} for n in range(4)
    ]
    screen = render_blocks([{"type": "actions", "elements": buttons}])
    assert screen.lines[0] == "[1] A rather long button label 0"
    assert len(screen.lines) == 4


def test_header_divider_context_fields_image() -> None:
    blocks = [
        {"type": "header", "text": plain("Your week")},
        {"type": "divider"},
        {"type": "context", "elements": [md("3 meetings with <@U2>"), {"type": "image", "alt_text": "chart"}]},
        {"type": "section", "fields": [md("*Team*\nDesign"), md("*Zone*\nEurope/Berlin")]},
        {"type": "image", "image_url": "https://x.example/a.png", "alt_text": "a chart"},
        {"type": "mystery"},
    ]
    assert render_blocks(blocks, NAMES).lines == [
        "Your week",
        "═════════",
        "─" * 40,
        "  3 meetings with @lee  [image: chart]",
        "  Team Design",
        "  Zone Europe/Berlin",
        "[image: a chart]",
        "[mystery block]",
    ]


def test_other_elements_describe_their_choices() -> None:
    assert describe_element({"type": "users_select", "placeholder": plain("Who?")}) == "Who? ▾ (@handle)"
    assert (
        describe_element({"type": "multi_users_select", "initial_users": ["U1"]}, NAMES)
        == "@maya ▾ (@handle, @handle…)"
    )
    assert describe_element({"type": "datepicker", "initial_date": "2026-11-20"}) == "📅 2026-11-20 ▾"
    assert (
        describe_element({"type": "overflow", "options": [option("Edit", "e"), option("Delete", "d")]})
        == "⋯ (Edit / Delete)"
    )
    assert describe_element({**SNOOZE, "initial_option": option("3 days", "3")}).startswith("3 days ▾")
    checks = {
        "type": "checkboxes",
        "options": [option("A", "a"), option("B", "b")],
        "initial_options": [option("B", "b")],
    }
    assert describe_element(checks) == "☐ A ☑ B"
    assert (
        describe_element({"type": "button", "text": plain("Docs"), "url": "https://x.example"})
        == "Docs ↗ https://x.example"
    )


def test_rich_text() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [{"type": "text", "text": "hi "}, {"type": "user", "user_id": "U1"}],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "channel", "channel_id": "C1"}]}],
            },
        ],
    }
    assert render_blocks([block], NAMES).lines == ["hi @maya", "• #coffee"]


def test_message_without_blocks_and_attachments() -> None:
    screen = render_message("Hi <@U2> &amp; welcome", directory=NAMES)
    assert screen.lines == ["Hi @lee & welcome"]
    with_attachment = render_message(
        "",
        [{"type": "section", "text": md("top")}],
        [{"title": "Note", "fields": [{"title": "When", "value": "today"}]}],
    )
    assert with_attachment.lines == ["top", "│ Note", "│ When: today"]


def test_modal_shows_fields_by_name_and_the_footer() -> None:
    view = {
        "type": "modal",
        "title": plain("Log a meeting"),
        "submit": plain("Log it"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "p",
                "label": plain("People"),
                "element": {"type": "multi_users_select", "action_id": "people"},
            },
            {
                "type": "input",
                "block_id": "n",
                "optional": True,
                "label": plain("Notes"),
                "hint": plain("Private to you."),
                "element": {"type": "plain_text_input", "action_id": "notes"},
            },
        ],
    }
    screen = render_view(view, NAMES)
    assert screen.lines == [
        "┌─ Log a meeting " + "─" * 23,
        "│ People: Choose people ▾ (@handle, @handle…)    ← people=…",
        "│ Notes (optional): ✎ text    ← notes=…",
        "│     Private to you.",
        "└─ submit field=value … (Log it) · cancel (Cancel)",
    ]
    assert screen.choices == []


def test_home_tab_has_no_frame() -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": md("Hello <@U1>")}]}
    assert render_view(home, NAMES).lines == ["Hello @maya"]
