"""Browser-style authentication: the MMAUTHTOKEN cookie needs the CSRF header on writes
(SECURITY 5); bearer tokens never do."""

import json

import pytest
from django.test import Client

from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in() -> tuple[Client, dict]:
    """A client holding the cookies a login sets, as a browser would."""
    user = UserFactory(username="alice")
    make_team(user)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v4/users/login",
        json.dumps({"login_id": "alice", "password": "Correct-Horse-7"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    cookies = {name: morsel.value for name, morsel in response.cookies.items()}
    assert set(cookies) >= {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"}
    assert response.cookies["MMAUTHTOKEN"]["httponly"]
    return client, {"user": user, **cookies}


def test_the_cookie_authenticates_reads(signed_in):
    client, info = signed_in
    assert client.get("/api/v4/users/me").json()["id"] == info["user"].id


def test_a_cookie_write_without_the_csrf_header_is_refused(signed_in):
    client, _info = signed_in
    response = client.put(
        "/api/v4/users/me/patch",
        json.dumps({"nickname": "forged"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["status_code"] == 403
    assert client.get("/api/v4/users/me").json()["nickname"] == ""


def test_a_cookie_write_with_a_wrong_csrf_header_is_refused(signed_in):
    client, _info = signed_in
    response = client.put(
        "/api/v4/users/me/patch",
        json.dumps({"nickname": "forged"}),
        content_type="application/json",
        HTTP_X_CSRF_TOKEN="not-the-token",
    )
    assert response.status_code == 403


def test_a_cookie_write_with_the_csrf_header_goes_through(signed_in):
    client, info = signed_in
    response = client.put(
        "/api/v4/users/me/patch",
        json.dumps({"nickname": "real"}),
        content_type="application/json",
        HTTP_X_CSRF_TOKEN=info["MMCSRF"],
    )
    assert response.status_code == 200, response.content
    assert response.json()["nickname"] == "real"


def test_bearer_tokens_need_no_csrf_header(signed_in):
    _client, info = signed_in
    bearer = Client(enforce_csrf_checks=True)
    response = bearer.put(
        "/api/v4/users/me/patch",
        json.dumps({"nickname": "scripted"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {info['MMAUTHTOKEN']}",
    )
    assert response.status_code == 200
    assert response.json()["nickname"] == "scripted"
