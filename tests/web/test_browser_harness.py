"""The browser harness itself: a real Chromium, signed in by cookie, against a live server."""

import pytest

from tests.factories import UserFactory
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.slow]

# Runs in the page: a profile change through the API as the web client makes it, with or
# without the CSRF token that the page's script reads from the MMCSRF cookie.
PATCH_NICKNAME = """async ({nickname, sendToken}) => {
    const csrf = document.cookie.split("; ")
        .find((c) => c.startsWith("MMCSRF=")).slice("MMCSRF=".length);
    const headers = {
        "Content-Type": "application/json",
        "X-Requested-With": "XMLHttpRequest",
    };
    if (sendToken) headers["X-CSRF-Token"] = csrf;
    const response = await fetch("/api/v4/users/me/patch", {
        method: "PUT",
        body: JSON.stringify({nickname}),
        headers,
    });
    return {status: response.status, body: await response.json()};
}"""


def test_browser_as_is_signed_in_by_its_cookies(browser_as):
    alice = UserFactory(username="alice")
    page = browser_as(alice)

    response = page.goto("/api/v4/users/me")

    assert response.status == 200
    me = response.json()
    assert (me["id"], me["username"]) == (alice.id, "alice")
    # The session token is httpOnly: the page's script sees the user id and CSRF token only.
    visible = page.evaluate("document.cookie")
    assert "MMAUTHTOKEN" not in visible
    assert f"MMUSERID={alice.id}" in visible
    assert "MMCSRF=" in visible
    assert screenshot(page, "harness-users-me").read_bytes().startswith(b"\x89PNG")


def test_cookie_authenticated_writes_need_the_csrf_header(browser_as):
    alice = UserFactory(username="alice")
    page = browser_as(alice)
    page.goto("/api/v4/users/me")

    refused = page.evaluate(PATCH_NICKNAME, {"nickname": "x", "sendToken": False})
    assert refused["status"] in (401, 403), refused
    assert refused["body"]["status_code"] == refused["status"]
    alice.refresh_from_db()
    assert alice.nickname == ""

    accepted = page.evaluate(PATCH_NICKNAME, {"nickname": "x", "sendToken": True})
    assert accepted["status"] == 200, accepted
    assert accepted["body"]["nickname"] == "x"
    alice.refresh_from_db()
    assert alice.nickname == "x"


def test_an_anonymous_page_is_refused_with_json(anonymous_page):
    response = anonymous_page.goto("/api/v4/users/me")

    assert response.status == 401
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status_code"] == 401
    assert anonymous_page.context.cookies() == []
