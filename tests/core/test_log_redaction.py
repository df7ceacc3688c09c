"""The secrets of URLs are redacted from log lines: the function, the logging filter, the
LOGGING setting and daphne's access-log writer (issue 12, finding 7; SECURITY 26).
tests/security/test_log_redaction.py runs the whole thing under the daphne CLI."""

import io
import logging
from collections.abc import Iterator

import pytest
from daphne.access import AccessLogGenerator
from django.conf import settings
from django.test import RequestFactory

from apps.core.log_redaction import (
    REDACTED,
    RedactSecretsFilter,
    install_access_log_redaction,
    redact,
)
from apps.core.middleware import MattermostApiMiddleware

SECRET = "k3jd8s7a6b5c4d3e2f1g0h9i8j"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Incoming webhooks and slash-command response URLs, however the path reaches Django.
        (f"/hooks/{SECRET}", f"/hooks/{REDACTED}"),
        (f"/hooks/commands/{SECRET}", f"/hooks/commands/{REDACTED}"),
        (f"/hooks//{SECRET}", f"/hooks/{REDACTED}"),
        (f"/hooks%2F{SECRET}", f"/hooks/{REDACTED}"),
        (f"/%68ooks/commands/{SECRET}", f"/hooks/commands/{REDACTED}"),
        (f"/hooks/{SECRET}/more", f"/hooks/{REDACTED}/more"),
        (f"/hooks/{SECRET}?x=1", f"/hooks/{REDACTED}?x=1"),
        (
            f"http://localhost:8065/hooks/commands/{SECRET}",
            f"http://localhost:8065/hooks/commands/{REDACTED}",
        ),
        # An incoming webhook's id, where its managers reach it.
        (f"/api/v4/hooks/incoming/{SECRET}", f"/api/v4/hooks/incoming/{REDACTED}"),
        # Secret query parameters, whatever their case or encoding; the others stay.
        (
            f"/api/v4/teams/members/invite?invite_id={SECRET}&x=1",
            f"/api/v4/teams/members/invite?invite_id={REDACTED}&x=1",
        ),
        (
            f"/api/v4/users/me?access%5Ftoken={SECRET}",
            f"/api/v4/users/me?access%5Ftoken={REDACTED}",
        ),
        (f"/api/v4/websocket?a=1&TOKEN={SECRET}", f"/api/v4/websocket?a=1&TOKEN={REDACTED}"),
        # In log messages as Django and daphne write them.
        (f"Not Found: /hooks/{SECRET}", f"Not Found: /hooks/{REDACTED}"),
        (f"<WSGIRequest: POST '/hooks/{SECRET}'>", f"<WSGIRequest: POST '/hooks/{REDACTED}'>"),
        (f'"POST /hooks/{SECRET}" 404 12', f'"POST /hooks/{REDACTED}" 404 12'),
        # Daphne's fallback for a path that is not ASCII: the repr of its bytes.
        (f"b'/hooks/{SECRET}\\xff'", f"b'/hooks/{REDACTED}'"),
    ],
)
def test_redact_removes_every_secret_of_a_url(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "/api/v4/hooks/incoming",
        "/api/v4/hooks/outgoing/ab12cd34ef56gh78ij90kl12mn",
        "/api/v4/hooks/outgoing/ab12cd34ef56gh78ij90kl12mn/regen_token",
        "/api/v4/commands/ab12cd34ef56gh78ij90kl12mn",
        "/api/v4/users/tokens/ab12cd34ef56gh78ij90kl12mn",
        "/api/v4/posts/search?terms=hooks%20token",
        "https://hooks.example.com/services/T1",
        "Starting server at tcp:port=8065:interface=127.0.0.1",
        "50% of 10 hooks",
    ],
)
def test_redact_leaves_what_holds_no_secret_alone(text):
    assert redact(text) == text


class _Records(logging.Handler):
    """Keeps what it was handed, after its filters, and the lines it formats."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RedactSecretsFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def handler() -> Iterator[_Records]:
    """A filtered handler on the root logger, where Confab's loggers and Django's end."""
    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    try:
        yield records
    finally:
        root.removeHandler(records)


def test_the_filter_redacts_the_message_and_its_arguments(handler):
    logging.getLogger("django.request").warning("Not Found: %s", f"/hooks/{SECRET}")
    logging.getLogger("django.channels.server").warning(
        "HTTP %(method)s %(path)s", {"method": "POST", "path": f"/hooks/commands/{SECRET}"}
    )
    assert handler.lines == [
        f"WARNING django.request Not Found: /hooks/{REDACTED}",
        f"WARNING django.channels.server HTTP POST /hooks/commands/{REDACTED}",
    ]


def test_the_filter_keeps_the_template_of_a_message_without_secrets(handler):
    logging.getLogger("apps.test").warning("Dropping %r: it stopped reading.", "socket 7")
    (record,) = handler.records
    assert (record.msg, record.args) == ("Dropping %r: it stopped reading.", ("socket 7",))


def test_a_broken_logging_call_is_redacted_before_it_is_reported():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", (f"/hooks/{SECRET}",), None)
    RedactSecretsFilter().filter(record)
    assert SECRET not in f"{record.msg} {record.args}"


def test_the_middlewares_unhandled_error_log_is_redacted_traceback_included(handler):
    request = RequestFactory().post(f"/hooks/{SECRET}")
    try:
        raise RuntimeError(f"could not read {request.path}")
    except RuntimeError as error:
        response = MattermostApiMiddleware(lambda r: None).process_exception(request, error)
    assert response.status_code == 500
    (line,) = handler.lines
    assert SECRET not in line
    assert f"Unhandled error on POST /hooks/{REDACTED}" in line
    assert f"RuntimeError: could not read /hooks/{REDACTED}" in line


def test_djangos_request_log_loses_a_request_to_a_secret_url(client, handler, db):
    """Django attaches the request, which AdminEmailHandler renders whole."""
    client.post("/api/v4/system/ping")  # a request without secret keeps it
    client.post(f"/hooks/{SECRET}", data="{}", content_type="application/json")
    kept, dropped = (r for r in handler.records if r.name == "django.request")
    assert kept.request is not None
    assert dropped.request is None
    assert dropped.getMessage() == f"Bad Request: /hooks/{REDACTED}"


def test_logging_settings_filter_every_handler_and_djangos_loggers_use_them():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    root_handlers = [
        handler
        for handler in logging.getLogger().handlers
        if not type(handler).__module__.startswith("_pytest")
    ]
    assert root_handlers
    for handler in root_handlers:
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters), handler
    # Django's defaults gave these their own handlers, outside the filter.
    for name in ("django", "django.server"):
        assert logging.getLogger(name).handlers == [], name
        assert logging.getLogger(name).propagate


def test_daphnes_access_log_writes_redacted_paths():
    install_access_log_redaction()
    install_access_log_redaction()  # a second call changes nothing
    stream = io.StringIO()
    access_log = AccessLogGenerator(stream)
    client = "127.0.0.1:5000"
    access_log(
        "http",
        "complete",
        {"path": f"/hooks/{SECRET}", "method": "POST", "status": 200, "size": 2, "client": client},
    )
    access_log(
        "websocket", "connecting", {"path": f"/api/v4/websocket?token={SECRET}", "client": client}
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert f'"POST /hooks/{REDACTED}" 200 2' in lines[0]
    assert f'"WSCONNECTING /api/v4/websocket?token={REDACTED}"' in lines[1]
    assert SECRET not in stream.getvalue()
