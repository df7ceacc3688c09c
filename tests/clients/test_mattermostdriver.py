"""Unmodified mattermostdriver 7.3.2 against a live Confab."""

from urllib.parse import urlparse

import pytest
from mattermostdriver import Driver

from tests.factories import UserFactory

pytestmark = [pytest.mark.slow]


def _driver(live_server_url: str, **options) -> Driver:
    url = urlparse(live_server_url)
    return Driver({"url": url.hostname, "port": url.port, "scheme": "http", **options})


def test_password_login_then_token_login(live_server_url):
    UserFactory(username="alice")
    driver = _driver(live_server_url, login_id="alice", password="Correct-Horse-7")
    me = driver.login()
    assert me["username"] == "alice"
    assert driver.users.get_user("me")["id"] == me["id"]

    token_driver = _driver(live_server_url, token=driver.client.token)
    assert token_driver.login()["username"] == "alice"
    driver.logout()
