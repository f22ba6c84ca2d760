"""The fake Slack: workspace state, the Web API on it, its HTTP and Socket Mode servers, and Slack's rules.

Pieces, each with one job: ``state`` (users, conversations, messages, files, ids) and ``modals`` (views and
modal stacks) hold the workspace; ``webapi`` answers Web API methods from that state; ``responses`` honours
response_urls; ``server`` is the HTTP plumbing; ``fake`` (FakeSlack) puts them together with tokens, faults and rate
limits. Slack's rules: ``validation`` (arguments, scopes), ``blockkit`` (invalid_blocks), ``ratelimit`` (429),
``faults`` (fault injection), ``hooks`` (the app's manifest.yml). ``grid`` (FakeSlackGrid) puts several
workspaces behind one Web API URL, serves Slack's authorize page and ``oauth.v2.access``, and records which
workspace's token every call carried.
"""

from bot.sandbox.slack.fake import ALL_SCOPES, AppHome, FakeSlack
from bot.sandbox.slack.grid import FakeSlackGrid, GridCall

__all__ = ["ALL_SCOPES", "AppHome", "FakeSlack", "FakeSlackGrid", "GridCall"]
