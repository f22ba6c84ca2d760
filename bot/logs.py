"""Logging for `rapport`: one configuration, a privacy policy for library loggers, JSON lines, request context.

Logs carry ids, never content (docs/architecture.md → Trust rules). Our own code logs ids only; this module keeps the
libraries to the same rule and adds the ids of the request being handled to every line.

Decisions:
- **Library levels, not scrubbing.** slack_sdk and slack_bolt log request, response and message bodies at DEBUG,
  SQLAlchemy logs statements at INFO and result rows at DEBUG. Their loggers are held at INFO or
  WARNING whatever ``RAPPORT_LOG_LEVEL`` says; scrubbing their text with patterns was rejected because a pattern
  can only remove what it knows to look for. The one INFO line that carries a body (Bolt's rejected-signature
  line) is rewritten without it.
- **Context from contextvars.** A Bolt global middleware sets team, user, request id and listener for the request;
  the listener executor copies that context into the thread that runs the listener, so the listener's lines and
  the error handler's carry the same ids, and it adds the listener's duration when it finishes.
- **JSON with python-json-logger**, limited to an allow-list of fields so that nothing a library attaches to a
  record (an ``extra=`` payload) reaches the output.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Final, Literal, TypeVar

from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from slack_bolt import App, BoltRequest

T = TypeVar("T")
LogFormat = Literal["text", "json"]
CONTEXT_FIELDS: Final = ("team", "user", "request", "listener", "duration_ms")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Loggers whose lower levels carry bodies (requests, responses, messages, rows): the least they may log at.
LIBRARY_FLOORS: Final[Mapping[str, int]] = {
    "slack_sdk": logging.INFO,
    "slack_bolt": logging.INFO,
    "websockets": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "apscheduler": logging.WARNING,
    "alembic": logging.WARNING,
}

# Bolt gives each logger it creates an explicit level: the root's, or that of the base logger the App is given. With
# this base logger (see bolt_logger) they get the floor below instead of RAPPORT_LOG_LEVEL=DEBUG.
BOLT_BASE_LOGGER: Final = "slack_bolt"

logger = logging.getLogger(__name__)
_NO_CONTEXT: Final[Mapping[str, Any]] = MappingProxyType({})
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("rapport_log_context", default=_NO_CONTEXT)


def _is_not(fragment: str) -> Callable[[logging.LogRecord], bool]:
    return lambda record: fragment not in record.getMessage()


def _rejected_signature(record: logging.LogRecord) -> bool:
    # Bolt writes the whole request body (notes, response_url, verification token) into this line.
    if record.getMessage().startswith("Invalid request signature detected"):
        record.msg = "rejected a request whose signature did not verify (check SLACK_SIGNING_SECRET and the clock)"
        record.args = ()
    return True


# Module-level objects, so applying the policy twice adds each filter once (Logger.addFilter skips duplicates).
_not_unused = _is_not("will be unused")  # Bolt reads SLACK_BOT_TOKEN itself and warns that our client wins: intended
_LOGGER_FILTERS: Final[Mapping[str, tuple[Callable[[logging.LogRecord], bool], ...]]] = {
    # On the base logger too: Bolt copies its filters to each logger it creates that has none.
    BOLT_BASE_LOGGER: (_rejected_signature, _not_unused),
    "slack_bolt.RequestVerification": (_rejected_signature,),
    "slack_bolt.App": (_not_unused,),
    # A sweep outlasting its interval is expected under load (coalesce + max_instances=1 skip the extra run).
    "apscheduler.scheduler": (_is_not("maximum number of running instances"),),
}


def apply_privacy_policy(level: str = "INFO") -> None:
    """Set the root level and hold the libraries that log bodies at the floors above, whatever ``level`` is."""
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    logging.getLogger().setLevel(numeric)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    for name in list(logging.root.manager.loggerDict):
        # A library logger that already has a level of its own (Bolt sets one on every logger it creates) would
        # escape its floor: make it inherit again.
        if any(name.startswith(prefix + ".") for prefix in LIBRARY_FLOORS):
            logging.getLogger(name).setLevel(logging.NOTSET)
    for name, filters in _LOGGER_FILTERS.items():
        for log_filter in filters:
            logging.getLogger(name).addFilter(log_filter)


class ContextFilter(logging.Filter):
    """Copies the current request's ids (team, user, request, listener, duration) onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the known context fields; never drops a record."""
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """The classic one-line format, with the request's ids appended in brackets when there are any."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual and append `[team=… user=… …]`."""
        line = super().format(record)
        known = " ".join(f"{key}={getattr(record, key)}" for key in CONTEXT_FIELDS if hasattr(record, key))
        if not known:
            return line
        head, newline, rest = line.partition("\n")
        return f"{head} [{known}]{newline}{rest}"


class JsonLinesFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, the request's ids, and a traceback if any."""

    ORDER: Final = ("time", "level", "logger", "message", *CONTEXT_FIELDS, "exc_info", "stack_info")

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Keep only the allow-listed fields, in a stable order."""
        return {key: log_data[key] for key in self.ORDER if log_data.get(key) is not None}


def configure_logging(level: str = "INFO", log_format: str = "text", stream: IO[str] | None = None) -> None:
    """Send every log line to stderr (text or JSON), replacing any earlier configuration, then apply the policy."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLinesFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    # force=True: the first call (before settings are read) must not make the second one a no-op.
    logging.basicConfig(handlers=[handler], force=True)
    apply_privacy_policy(level)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields (None values are skipped) to every log line written inside the block, in this thread."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def _label(body: Mapping[str, Any]) -> str:
    """What a request is for, from ids we define (command name, action_id, callback_id, event type): never text."""
    if body.get("command"):
        label = f"command {body['command']}"
    elif body.get("type") == "event_callback":
        event = body.get("event")
        label = f"event {event.get('type') if isinstance(event, Mapping) else None}"
    elif body.get("type") in {"block_actions", "block_suggestion"}:
        actions = body.get("actions") or [body]
        first = actions[0] if isinstance(actions, list) and isinstance(actions[0], Mapping) else {}
        label = f"action {first.get('action_id')}"
    elif body.get("type") in {"view_submission", "view_closed"}:
        view = body.get("view")
        label = f"{body['type']} {view.get('callback_id') if isinstance(view, Mapping) else None}"
    elif body.get("type") in {"shortcut", "message_action"}:
        label = f"shortcut {body.get('callback_id')}"
    else:
        label = str(body.get("type") or "unknown")
    return label[:80]


def _request_context(request: BoltRequest, next_: Callable[[], None]) -> None:
    """Bolt global middleware: the request's ids become this thread's log context (replacing the last request's)."""
    body: Mapping[str, Any] = request.body if isinstance(request.body, Mapping) else {}
    fields = {
        "team": request.context.team_id,
        "user": request.context.user_id,
        "request": body.get("event_id") or uuid.uuid4().hex[:12],
        "listener": _label(body),
    }
    _context.set({k: v for k, v in fields.items() if v})
    logger.debug("handling %s", fields["listener"])
    next_()


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool that runs each task in a copy of the submitter's context and logs a listener's duration."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Like ThreadPoolExecutor.submit, carrying contextvars (the request's log ids) into the worker."""
        context = contextvars.copy_context()
        return super().submit(context.run, _timed, fn, *args, **kwargs)


def _timed(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        return fn(*args, **kwargs)
    finally:
        listener = _context.get().get("listener")
        if listener:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info("%s finished in %.1f ms", listener, duration_ms, extra={"duration_ms": duration_ms})


def in_fresh_context(fn: Callable[..., T]) -> Callable[..., T]:
    """Wrap a transport's per-request entry point so each request starts with no log context from the last one."""

    def run(*args: Any, **kwargs: Any) -> T:
        return contextvars.copy_context().run(fn, *args, **kwargs)

    return run


def listener_executor(threads: int) -> ThreadPoolExecutor:
    """The executor Bolt runs listeners on: context-carrying, so listener logs keep the request's ids."""
    return ContextThreadPoolExecutor(max_workers=threads, thread_name_prefix="rapport-listener")


def bolt_logger() -> logging.Logger:
    """The base logger to give Bolt's App, so every logger Bolt creates takes its level (the floor), not the root's."""
    return logging.getLogger(BOLT_BASE_LOGGER)


def install(app: App) -> None:
    """Register the middleware that gives each request's log lines its team, user, request id and listener."""
    from handlers.middleware import direct  # here: logging is configured before Bolt is imported

    app.middleware(direct(_request_context))
