"""A local Slack for tests and the demo: Web API over real HTTP, Slack's side of HTTP and Socket Mode, inspection.

Tour::

    from slack_sdk import WebClient
    from bot.sandbox.fake_slack import FakeSlack
    from bot.sandbox.seed import default_workspace

    with FakeSlack(seed=default_workspace()) as fake:         # scopes and App Home switches from manifest.yml
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        drv = fake.http_driver(events_url="http://127.0.0.1:3000/slack/events")  # or fake.socket_driver()
        drv.slash_command(user="maya", command="/met", text="<@U0RPT00002|lee> yesterday")
        [msg] = fake.messages("maya")                          # the bot's DM with maya, as maya sees it
        drv.click(user="maya", message=msg, action_id="met_undo")
        fake.calls("chat.postMessage")                         # every Web API call, in order

Modules: ``fake_slack`` (FakeSlack: state, HTTP server, response_url hooks), ``webapi`` (method handlers),
``driver`` (HttpDriver / SocketDriver payload builders), ``socket_mode`` (websocket server), ``seed`` (workspace),
``records`` (FakeMessage, ApiCall, ...). Slack's rules come from ``validation``
(arguments, scopes), ``blockkit`` (invalid_blocks), ``ratelimit`` (429) and ``faults`` (fault injection).
"""
