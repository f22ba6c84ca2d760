"""What one person wrote, shown to others: no broadcasts, no outside mentions, no disguised links, never raises."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.user_text import WORD_JOINER, escape_plain, render_user_text, typed_length

LEE = "U0LEE00001"
MAYA = "U0MAYA0001"
OUTSIDER = "U0OUTSIDE1"
GROUP = frozenset({LEE, MAYA})

# Every control sequence left in the output, and the only shapes we allow there.
SEQUENCE = re.compile(r"<([^<>]*)>")
ALLOWED = re.compile(r"@([UW][A-Z0-9]{2,})|#[CG][A-Z0-9]{2,}|(?:https?://|mailto:)[^\s|<>]+", re.IGNORECASE)
BROADCAST_WORD = re.compile(r"(?<![^\W_])@(?:channel|here|everyone|group)", re.IGNORECASE)


def assert_inert(rendered: str, audience: frozenset[str] = GROUP) -> None:
    """The guarantees every rendering keeps, whatever came in."""
    assert "<!" not in rendered
    assert BROADCAST_WORD.search(rendered) is None, rendered
    for sequence in SEQUENCE.findall(rendered):
        allowed = ALLOWED.fullmatch(sequence)
        assert allowed, f"unexpected control sequence <{sequence}> in {rendered!r}"
        if allowed[1]:
            assert allowed[1] in audience, f"mention of someone outside the conversation in {rendered!r}"
        assert "|" not in sequence, f"a labelled link or mention in {rendered!r}"
    # Outside our own sequences there is no '<' or '>' at all: nothing the reader sees can start one.
    outside = SEQUENCE.sub("", rendered)
    assert "<" not in outside and ">" not in outside, rendered
    # Every '&' starts one of Slack's three entities.
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", rendered, re.DOTALL), rendered


def test_the_attack_from_the_issue() -> None:
    text = f"Ask me <!channel> <!here> <@{OUTSIDER}|x> <https://evil.example|payroll>"
    rendered = render_user_text(text, audience=GROUP)
    joiner = WORD_JOINER
    assert rendered == f"Ask me @{joiner}channel @{joiner}here @{joiner}x <https://evil.example>"
    assert_inert(rendered)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!everyone> <!channel|channel> <!here|@here>", "@\u2060everyone channel @\u2060here"),
        ("<!subteam^S0123ABCD|@design> <!subteam^S0123ABCD>", "@\u2060design a group"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("raw @channel, @Here and @everyone", "raw @\u2060channel, @\u2060Here and @\u2060everyone"),
        ("e-mail me at lee@example.com", "e-mail me at lee@example.com"),
        (f"<@{MAYA}|maya> and <@{LEE}>", f"<@{MAYA}> and <@{LEE}>"),
        (f"<@{OUTSIDER}> knows", "someone knows"),
        ("<#C0123ABCD|launch> <#C0123ABCD>", "<#C0123ABCD> <#C0123ABCD>"),
        ("<https://a.example/?x=1&amp;y=2|docs>", "<https://a.example/?x=1&amp;y=2>"),
        ("<mailto:lee@example.com|lee@example.com>", "<mailto:lee@example.com>"),
        ("<javascript:alert(1)|click>", "&lt;javascript:alert(1)|click&gt;"),
        ("<https://ok.example|https://other.example>", "<https://ok.example>"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    rendered = render_user_text(text, audience=GROUP)
    assert rendered == expected
    assert_inert(rendered)


def test_escaped_input_stays_escaped() -> None:
    # Someone typed the characters <!channel> and <b> & co: Slack escaped them, and they stay text.
    text = "&lt;!channel&gt; &lt;b&gt; &amp;amp; fish &amp; chips"
    assert render_user_text(text, audience=GROUP) == text


def test_raw_input_is_shown_as_typed() -> None:
    assert render_user_text("I <3 Rust & Go > Java") == "I &lt;3 Rust &amp; Go &gt; Java"
    assert render_user_text("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;"
    assert render_user_text("x &quot; y") == "x &amp;quot; y"


def test_plain_text_is_never_markup() -> None:
    rendered = render_user_text("<!channel> <@U0LEE00001> &lt; <https://x.example|y>", audience=GROUP, escaped=False)
    assert rendered == "&lt;!channel&gt; &lt;@\u2060U0LEE00001&gt; &amp;lt; &lt;https://x.example|y&gt;"
    assert_inert(rendered)


def test_typed_length_counts_entities_as_one_character() -> None:
    assert typed_length("&amp;" * 1000) == 1000
    assert typed_length("&amp;lt;") == 4  # the person typed "&lt;"
    assert typed_length("a &lt; b") == 5


fragment = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!here|here>",
        "<!subteam^S0123ABCD|@team>",
        "<!date^1^{date}|today>",
        f"<@{LEE}>",
        f"<@{MAYA}|maya>",
        f"<@{OUTSIDER}|boss>",
        f"<@{OUTSIDER}>",
        "<@W0ABCDEF>",
        "<#C0123ABCD|ops>",
        "<https://evil.example|payroll>",
        "<http://a.example/x?y=1&amp;z=2>",
        "<mailto:a@b.example|a@b.example>",
        "<javascript:x|y>",
        "<",
        ">",
        "|",
        "&",
        "&amp;",
        "&lt;",
        "&gt;",
        "&lt;!channel&gt;",
        "@here",
        "@channel",
        "@everyone",
        "@@here",
        "_@here_",
        "@",
        "!",
        "^",
        "\n",
        " ",
    ]
)
user_text = st.lists(st.one_of(fragment, st.text(max_size=8)), max_size=20).map("".join)
audiences = st.frozensets(st.sampled_from([LEE, MAYA, OUTSIDER, "W0ABCDEF"]), max_size=4)


@settings(max_examples=600, deadline=None)
@given(user_text, audiences, st.booleans())
@example("@<!here|here>", frozenset(), True)  # "@" + a label "here" joined into a broadcast word
@example("@<!date^1^{date}|today>", frozenset(), True)
def test_any_text_renders_inert_and_never_raises(text: str, audience: frozenset[str], escaped: bool) -> None:
    rendered = render_user_text(text, audience=audience, escaped=escaped)
    assert_inert(rendered, audience)
    assert render_user_text(rendered, audience=audience) == rendered, "rendering twice changes nothing"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode(text: str) -> None:
    assert_inert(render_user_text(text, audience=GROUP))
    assert_inert(render_user_text(text, audience=GROUP, escaped=False))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_typed_length_of_escaped_text_is_its_length_as_typed(text: str) -> None:
    assert typed_length(escape_plain(text)) == len(text)
