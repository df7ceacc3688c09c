"""Keeping the secrets that travel in URLs out of every log line (SECURITY 26).

Some URLs are credentials: whoever holds `/hooks/{id}` may post as the hook's owner, and
`/hooks/commands/{id}` answers a slash command as the user who ran it; a team's invite id
joins the team, and a token sent as `?access_token=` signs in. Django logs request paths
("Bad Request: /hooks/...") and daphne writes every request line to its access log, so both
pass through `redact()`:

- `RedactSecretsFilter`, on every handler of the LOGGING setting;
- `install_access_log_redaction()`, called by config/asgi.py: daphne's access log is written
  by daphne itself, not through Python logging, so no logging filter ever sees it.

Nothing of a secret is kept (no prefix): a log reader learns which route was called, not
with which id.
"""

import functools
import logging
import re
from typing import Any
from urllib.parse import unquote, unquote_plus

REDACTED = "<redacted>"

# Where a secret sits in a path: the path segment right after each of these prefixes.
SECRET_PATH_PREFIXES = (
    # An incoming webhook's id, seen by the API that manages it: the same secret.
    r"/api/v4/hooks/incoming/",
    # A slash command's response URL.
    r"(?<!/api/v4)/hooks/commands/",
    # An incoming webhook's URL (not `/hooks/commands/` with its secret already redacted).
    r"(?<!/api/v4)/hooks/(?!commands/)",
)
# Query parameters whose value is a secret, compared case-insensitively once decoded.
SECRET_QUERY_PARAMETERS = frozenset({"access_token", "invite_id", "token"})

_SECRET_PATH = re.compile("(?P<prefix>" + "|".join(SECRET_PATH_PREFIXES) + ")[^/]+", re.IGNORECASE)
# A cheap first test: most log lines hold none of these and are returned untouched.
_MAY_HOLD_SECRET = re.compile(r"hooks|token|invite_id|%", re.IGNORECASE)
# What a URL or path in a log line can be made of: it ends at white space, quotes and <>.
_URL_LIKE = re.compile(r"[^\s\"'<>]+")
# `//` folds to `/` (as MattermostApiMiddleware folds it before routing), but not `://`.
_REPEATED_SLASHES = re.compile(r"(?<!:)/{2,}")
_QUERY_SEPARATORS = re.compile(r"([&;])")


def redact(text: str) -> str:
    """`text` with the secret of every URL or path in it replaced by REDACTED.

    A path is matched as the server routes it: percent-decoded and with `//` folded, so
    `/hooks%2F{id}` and `/hooks//{id}`, which reach the hook, are caught too (and written
    decoded). Paths holding no secret are left exactly as they were.
    """
    if not _MAY_HOLD_SECRET.search(text):
        return text
    return _URL_LIKE.sub(_redact_url, text)


def _redact_url(match: re.Match[str]) -> str:
    path, question_mark, query = match.group().partition("?")
    routed = _REPEATED_SLASHES.sub("/", unquote(path, errors="replace"))
    redacted = _SECRET_PATH.sub(rf"\g<prefix>{REDACTED}", routed)
    if redacted != routed:
        path = redacted
    if question_mark:
        query = _redact_query(query)
    return path + question_mark + query


def _redact_query(query: str) -> str:
    parts = _QUERY_SEPARATORS.split(query)  # parameters at even indexes, separators between
    for index in range(0, len(parts), 2):
        name, equals, value = parts[index].partition("=")
        if value and unquote_plus(name).strip().lower() in SECRET_QUERY_PARAMETERS:
            parts[index] = f"{name}{equals}{REDACTED}"
    return "".join(parts)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record so that nothing a handler writes of it holds a URL's secret.

    Put on handlers, not loggers: a logger's filters miss the records its children hand up.
    """

    _exception_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        self._redact_message(record)
        if record.exc_info and not record.exc_text:
            # Formatted here, as a handler's formatter would, since a traceback's messages can
            # quote the path; formatters reuse exc_text once it is set.
            text = self._exception_formatter.formatException(record.exc_info)
            redacted = redact(text)
            if redacted != text:
                record.exc_text = redacted
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        self._drop_secret_request(record)
        return True

    @staticmethod
    def _redact_message(record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            # The handler will report the broken call, quoting msg and args: redact those.
            record.msg = redact(str(record.msg))
            if isinstance(record.args, dict):
                record.args = {key: redact(str(value)) for key, value in record.args.items()}
            elif record.args:
                record.args = tuple(redact(str(arg)) for arg in record.args)
            return
        redacted = redact(message)
        if redacted != message:
            # The finished message replaces the template: the secret may be in either.
            record.msg, record.args = redacted, ()

    @staticmethod
    def _drop_secret_request(record: logging.LogRecord) -> None:
        """Django attaches the request (`extra={"request": ...}`) for handlers that render it
        whole, URL included (AdminEmailHandler); a request to a secret URL is not passed on.
        None is what those handlers expect when there is no request."""
        get_full_path = getattr(getattr(record, "request", None), "get_full_path", None)
        if callable(get_full_path):
            full_path = get_full_path()
            if redact(full_path) != full_path:
                record.request = None


def install_access_log_redaction() -> None:
    """Pass every request path of daphne's access log through `redact()`.

    The daphne CLI writes its access log (to stdout at the default verbosity, or to
    `--access-log FILE`) with an `AccessLogGenerator`, called with each request's details;
    daphne has no setting to change what it writes, so its `__call__` is wrapped.
    (`manage.py runserver` logs requests through Python logging instead, where
    `RedactSecretsFilter` sees them.) Called when config/asgi.py is imported, before
    daphne serves anything; `daphne.access` imports nothing of Twisted, so this is safe
    under any server. Calling it again changes nothing.
    """
    from daphne.access import AccessLogGenerator

    original = AccessLogGenerator.__call__
    if getattr(original, "redacts_secrets", False):
        return

    @functools.wraps(original)
    def log_action(self: object, protocol: object, action: str, details: dict[str, Any]) -> None:
        path = details.get("path")
        if isinstance(path, str):
            details = {**details, "path": redact(path)}
        original(self, protocol, action, details)

    # A marker on the function, so that a second install sees the first.
    log_action.redacts_secrets = True  # type: ignore[attr-defined]  # a function's own attribute
    AccessLogGenerator.__call__ = log_action
