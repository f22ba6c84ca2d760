"""Text one person wrote, made inert before other people see it.

``render_user_text`` takes what someone typed (an intro line today; profiles, goals and introductions later) and
returns Slack mrkdwn that cannot ping, cannot mention anyone outside the conversation, and cannot disguise a link.
Its output contains no ``<`` except the control sequences it builds itself:

- ``<@U…>`` for a person in ``audience`` (the members of the conversation the text is shown in);
- ``<#C…>`` for a channel (a channel link notifies nobody; Slack shows the channel's real name);
- ``<https://…>`` / ``<mailto:…>`` links without a label, so Slack shows the real URL.

Everything else is plain text: ``<!channel>``, ``<!here>``, ``<!everyone>`` and ``<!subteam^…|@team>`` become
their words; a person outside the audience becomes ``@label`` (or "someone" when Slack sent no label); a date
becomes its fallback text; anything unrecognised is shown as typed.

Decisions:

- **Input is Slack markup, and raw text is tolerated.** Command text arrives escaped (``&amp; &lt; &gt;``, mentions
  as ``<@U…|name>``). Those entities are kept as they are, so ``&lt;!channel&gt;`` stays text; a stray ``&``, ``>``
  or a ``<`` that opens no well-formed sequence is escaped, so text that never went through Slack shows as typed.
  Text known to be plain (a modal's input, a directory field) is passed with ``escaped=False`` and escaped first:
  then nothing in it is markup. Rejected: unescaping first and re-escaping, which turns ``&lt;`` into a real ``<``.
- **Broadcast words are broken with a word joiner** (U+2060) after every ``@`` that starts a word: ``@⁠here`` reads
  the same but is no keyword, even if a message is ever posted with ``link_names`` or ``parse=full`` (which also
  link user-group handles, hence every ``@word`` rather than only the three broadcasts). Rejected: deleting them
  (changes what the person wrote) and back-ticks (looks like code).
- **Link labels are dropped**, not shown beside the URL: the label is the disguise, and a label that is itself a URL
  would be auto-linked by Slack next to a different real one. Only http(s) and mailto become links; any other
  scheme is plain text.
- **Pure and total.** No I/O, no exceptions for any input; rendering twice gives the same text as rendering once.
"""

from __future__ import annotations

import re
from collections.abc import Collection

WORD_JOINER = "\u2060"
SOMEONE = "someone"

# A control sequence: < then anything but angle brackets, then >. Slack's own never nest.
_SEQUENCE = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(?:amp|lt|gt);")
_USER = re.compile(r"@([UW][A-Z0-9]{2,})(?:\|(.*))?", re.DOTALL)
_CHANNEL = re.compile(r"#([CG][A-Z0-9]{2,})(?:\|.*)?", re.DOTALL)
_LINK = re.compile(r"((?:https?://|mailto:)[^\s|]+)(?:\|.*)?", re.IGNORECASE | re.DOTALL)
_SPECIAL = re.compile(r"!([^|]*)(?:\|(.*))?", re.DOTALL)
_BROADCASTS = {"channel", "here", "everyone", "group"}
# An @ that starts a word (not after a letter or digit, so e-mail addresses stay whole), followed by a word character.
_AT_WORD = re.compile(r"(?<![^\W_])@(?=\w)")


def escape_plain(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` (only those three, in one pass)."""
    return _ENTITY.sub(lambda m: {"&amp;": "&", "&lt;": "<", "&gt;": ">"}[m[0]], text)


def _keep_entities(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` everywhere but in Slack's three entities, which are kept as they are."""
    pieces: list[str] = []
    last = 0
    for entity in _ENTITY.finditer(text):
        pieces.append(escape_plain(text[last : entity.start()]))
        pieces.append(entity[0])
        last = entity.end()
    pieces.append(escape_plain(text[last:]))
    return "".join(pieces)


class _Markup(str):
    """A control sequence we built ourselves; the rest of the output is plain text."""

    __slots__ = ()


def _sequence(body: str, audience: Collection[str]) -> str:
    """One ``<body>`` control sequence: a ``_Markup`` we vouch for, or escaped plain text."""
    if user := _USER.fullmatch(body):
        if user[1] in audience:
            return _Markup(f"<@{user[1]}>")
        label = (user[2] or "").strip().lstrip("@")
        return _keep_entities("@" + label) if label else SOMEONE
    if channel := _CHANNEL.fullmatch(body):
        return _Markup(f"<#{channel[1]}>")
    if link := _LINK.fullmatch(body):
        return _Markup(f"<{_keep_entities(link[1])}>")
    if special := _SPECIAL.fullmatch(body):
        name, label = special[1], special[2]
        if label:
            return _keep_entities(label)
        if name.lower() in _BROADCASTS:
            return "@" + name.lower()
        if name.startswith("subteam^"):
            return "a group"
        return _keep_entities(name.split("^", 1)[0])
    return _keep_entities("<" + body + ">")


def _defuse(plain: list[str]) -> str:
    """Plain text pieces joined, then every ``@`` word broken: joining first, as "@" + "here" makes one."""
    return _AT_WORD.sub("@" + WORD_JOINER, "".join(plain))


def render_user_text(text: str, *, audience: Collection[str] = (), escaped: bool = True) -> str:
    """Slack mrkdwn for ``text`` that pings nobody, mentions only ``audience`` and shows every link's real URL."""
    if not escaped:
        text = escape_plain(text)
    members = frozenset(audience)
    out: list[str] = []
    plain: list[str] = []
    last = 0
    for match in _SEQUENCE.finditer(text):
        plain.append(_keep_entities(text[last : match.start()]))
        rendered = _sequence(match[1], members)
        if isinstance(rendered, _Markup):
            out += [_defuse(plain), rendered]
            plain = []
        else:
            plain.append(rendered)
        last = match.end()
    plain.append(_keep_entities(text[last:]))
    out.append(_defuse(plain))
    return "".join(out)


def typed_length(text: str) -> int:
    """Characters as the person typed them: Slack's ``&amp; &lt; &gt;`` count as one each."""
    return len(unescape_slack(text))
