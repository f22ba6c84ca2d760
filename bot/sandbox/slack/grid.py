"""FakeSlackGrid: several fake workspaces behind one Web API URL, with OAuth installs — Slack as a multi-workspace
app sees it.

Each workspace is a whole ``FakeSlack`` (its own people, channels, messages, response_urls and uploads on its own
port). The grid serves what is shared:

* ``GET /oauth/v2/authorize`` — Slack's authorize page: it checks the app's client id and redirect URL, then sends
  the browser back to ``redirect_uri?code=…&state=…`` for the workspace the person picked (``team=``, which Slack's
  authorize page also accepts; else ``grid.signed_in``).
* ``oauth.v2.access`` — the code (or, with token rotation, a refresh token) for a bot token minted by that
  workspace (``FakeSlack.issue_bot_token``); with ``rotation`` on, tokens expire after ``token_lifetime`` seconds and
  a refresh token comes with them.
* every other ``/api/<method>`` — routed by its token to the workspace that minted it, and recorded in ``calls``
  with the team the token belongs to, so a test can prove no call ever crossed workspaces;
* response_urls and uploads, handed to the workspace that minted them (their URLs point at the grid, as Slack's
  point at one host whatever the workspace).
"""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from bot.sandbox.slack.fake import FakeSlack
from bot.sandbox.slack.server import SlackHttpServer


class InstallFailed(AssertionError):
    """An install over HTTP did not finish (what the app answered is in the message)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    """GET without following redirects (the browser's part is played step by step)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@dataclass(frozen=True, slots=True)
class GridCall:
    """One Web API call the grid received: the method, the workspace its token belongs to, the token, its args."""

    method: str
    team_id: str | None
    token: str | None
    args: dict[str, Any]


class FakeSlackGrid:
    """Several fake workspaces behind one Web API base URL, installable through OAuth."""

    def __init__(
        self,
        fakes: Sequence[FakeSlack],
        *,
        client_id: str = "1111.2222",
        rotation: bool = False,
        token_lifetime: int = 43_200,
        host: str = "127.0.0.1",
    ) -> None:
        self.fakes = {fake.team_id: fake for fake in fakes}
        self.client_id = client_id
        self.client_secret = secrets.token_hex(16)
        self.rotation = rotation
        self.token_lifetime = token_lifetime
        self.signed_in: str | None = next(iter(self.fakes), None)
        # The app's configured Redirect URL (what Slack uses when the authorize link names none).
        self.redirect_uri: str | None = None
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[str, str | None]] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> team
        self._calls: list[GridCall] = []
        self._server = SlackHttpServer(self, host)
        for fake in fakes:  # one app: one signing secret, whichever workspace a request comes from
            fake.signing_secret = fakes[0].signing_secret

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FakeSlackGrid:
        """Start every workspace's server and the shared one."""
        self._server.start()
        for fake in self.fakes.values():
            fake.start()
            fake.front_url = self.base_url
        return self

    def stop(self) -> None:
        """Stop them all."""
        self._server.stop()
        for fake in self.fakes.values():
            fake.stop()

    def __enter__(self) -> FakeSlackGrid:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT of the shared server."""
        return self._server.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL every workspace's calls go to."""
        return f"{self.base_url}/api/"

    # ---- inspection ----------------------------------------------------------------------------------------

    def calls(self, method: str | None = None, team_id: str | None = None) -> list[GridCall]:
        """Every call received (optionally one method, or one workspace's), in order."""
        with self._lock:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method) and (team_id is None or call.team_id == team_id)
            ]

    def install(self, app_url: str, team_id: str) -> str:
        """A person in ``team_id`` opens the app's ``/slack/install``, approves on the authorize page and comes back
        to its redirect URL, over HTTP: the app's last answer (its success page). Raises InstallFailed otherwise.

        Bolt's state cookie is Secure (apps are served over https); a client on the test's plain http would drop it,
        so it is carried by hand, as the browser does over https."""
        status, headers, _ = _get(f"{app_url.rstrip('/')}/slack/install")
        if status != 302 or "Location" not in headers:
            raise InstallFailed(f"/slack/install answered {status}")
        cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
        status, headers, _ = _get(f"{headers['Location']}&team={urllib.parse.quote(team_id)}")
        if status != 302:
            raise InstallFailed(f"the authorize page answered {status}")
        status, _, page = _get(headers["Location"], cookie)
        if status != 200:
            raise InstallFailed(f"the redirect URL answered {status}")
        return page

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: every token it minted stops working, refresh tokens too."""
        self.fakes[team_id].revoke_tokens()
        with self._lock:
            self._refresh = {token: team for token, team in self._refresh.items() if team != team_id}

    # ---- routes (bot.sandbox.slack.server.Routes) ----------------------------------------------------------

    def handle_authorize(self, args: dict[str, str]) -> tuple[int, dict[str, str]]:
        """The person approves the install in workspace ``team`` and goes back to the app with a code."""
        team_id = args.get("team") or self.signed_in
        redirect_uri = args.get("redirect_uri") or self.redirect_uri
        if args.get("client_id") != self.client_id or team_id not in self.fakes or not redirect_uri:
            return 400, {}
        code = secrets.token_hex(12)
        with self._lock:
            self._codes[code] = (team_id, redirect_uri)
        query = urllib.parse.urlencode({"code": code, "state": args.get("state", "")})
        return 302, {"Location": f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"}

    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """oauth.v2.access here; every other method in the workspace whose token it carries."""
        if method == "oauth.v2.access":
            with self._lock:
                self._calls.append(GridCall(method, None, None, {"grant_type": args.get("grant_type", "code")}))
            return 200, self._access(args), {}
        fake = next((fake for fake in self.fakes.values() if token and fake.owns_token(token)), None)
        public = {key: value for key, value in args.items() if key != "token"}
        with self._lock:
            self._calls.append(GridCall(method, fake.team_id if fake else None, token, public))
        if fake is None:
            return 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"}, {}
        return fake.handle_api(method, args, token)

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A response_url of whichever workspace minted it."""
        answer: tuple[int, dict[str, Any]] = (404, {"ok": False, "error": "no_such_url"})
        for fake in self.fakes.values():
            answer = fake.handle_response_url(key, body)
            if answer[1].get("error") != "no_such_url":
                break
        return answer

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """An upload to whichever workspace's file it is."""
        answer = (404, "Not Found")
        for fake in self.fakes.values():
            answer = fake.handle_upload(file_id, content)
            if answer[0] != 404:
                break
        return answer

    def _access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("client_id") != self.client_id or args.get("client_secret") != self.client_secret:
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            if args.get("grant_type") == "refresh_token":
                team_id = self._refresh.get(str(args.get("refresh_token")))
            else:
                found = self._codes.pop(str(args.get("code")), None)
                team_id = found[0] if found and args.get("redirect_uri") in {None, found[1]} else None
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token" if args.get("refresh_token") else "invalid_code"}
        return self._grant(self.fakes[team_id])

    def _grant(self, fake: FakeSlack) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "ok": True,
            "access_token": fake.issue_bot_token(self.token_lifetime if self.rotation else None),
            "token_type": "bot",
            "scope": ",".join(sorted(fake.scopes)),
            "bot_user_id": fake.bot_user_id,
            "app_id": fake.app_id,
            "team": {"id": fake.team_id, "name": fake.seed.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": fake.users()[0].id},
        }
        if self.rotation:
            refresh = f"xoxe-1-{secrets.token_hex(12)}"
            with self._lock:
                self._refresh[refresh] = fake.team_id
            answer.update(refresh_token=refresh, expires_in=self.token_lifetime)
        return answer
