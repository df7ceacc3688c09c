"""The upload benchmark (`python -m bench.uploads`, part of `make bench`): its client
against a live daphne and its summary rows. Structure only: the figures are the
benchmark's to measure, never asserted here."""

import pytest

from apps.accounts.services.sessions import session_create
from bench import uploads
from bench.run import summary_rows
from tests.factories import UserFactory, make_channel, make_team

pytestmark = [pytest.mark.slow]


@pytest.fixture
def channel_and_token(transactional_db):
    owner = UserFactory(username="bencher")
    channel = make_channel(owner, make_team(owner), "bench-uploads")
    _session, token = session_create(user=owner)
    return channel.id, token


def test_the_client_reports_what_the_server_answered(channel_and_token, live_daphne):
    channel_id, token = channel_and_token
    pid, port = live_daphne.pid, live_daphne.port
    stored = uploads.upload(port, pid, size=2 * uploads.MB, token=token, channel_id=channel_id)
    refused = uploads.upload(port, pid, size=2 * uploads.MB, token=None, channel_id=channel_id)

    assert stored.status == 201
    assert stored.sent_bytes == stored.body_bytes > 2 * uploads.MB
    assert stored.rss_idle > 0 and stored.rss_peak >= stored.rss_idle
    assert refused.status == 401
    assert refused.as_dict()["ping"]["n"] == len(refused.ping_ms)


def test_the_summary_has_the_upload_rows():
    case = {"status": 201, "sent_mb": 200.0, "rss_growth_mb": 1.5, "ping": {"max": 12.0}}
    anonymous = {**case, "status": 401, "sent_mb": 4.0}
    figures = {"size_mb": 200, "cases": {"signed in": case, "anonymous": anonymous}}

    rows = summary_rows({}, {}, {}, {}, figures)
    upload_rows = [row for row in rows if str(row[0]).startswith("upload 200 MB")]

    assert [row[1] for row in upload_rows] == [
        "server RSS growth MB",
        "ping during it, max ms",
        "status, MB sent before it",
    ]
    assert [row[4] for row in upload_rows] == ["met", "met", "met"]
