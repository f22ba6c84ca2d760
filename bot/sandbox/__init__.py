"""A local Slack for tests and the demo: Web API over real HTTP, Slack's side of HTTP and Socket Mode, inspection.

Tour::

    from slack_sdk import WebClient
    from bot.sandbox.client import HttpDriver
    from bot.sandbox.seed import default_workspace
    from bot.sandbox.slack import FakeSlack

    with FakeSlack(seed=default_workspace()) as fake:         # scopes and App Home switches from manifest.yml
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        drv = HttpDriver(fake, "http://127.0.0.1:3000/slack/events")  # or SocketDriver(fake)
        drv.slash_command(user="maya", command="/met", text="<@U0RPT00002|lee> yesterday")
        [msg] = fake.messages("maya")                          # the bot's DM with maya, as maya sees it
        drv.click(user="maya", message=msg, action_id="met_undo")
        fake.calls("chat.postMessage")                         # every Web API call, in order

Packages (imports point down only; ``.importlinter`` checks it):

- ``demo/`` — ``rapport demo``: the session, its commands, Block Kit as terminal text;
- ``client/`` — the drivers (HttpDriver, SocketDriver): what Slack sends the bot;
- ``slack/`` — the fake Slack: ``state`` and ``modals`` (the workspace), ``webapi`` (methods on that state),
  ``responses`` (response_urls), ``server`` (HTTP), ``socket_mode``, ``fake`` (FakeSlack, which puts them
  together), and Slack's rules: ``validation``, ``blockkit``, ``ratelimit``, ``faults``, ``manifest``;
- ``elements`` (the table of Block Kit element types) and ``seed`` (the workspace), used by all three.

``fake_slack``, ``driver``, ``records`` and ``faults`` at this level are the old import paths, kept for branches
written before the split.
"""
