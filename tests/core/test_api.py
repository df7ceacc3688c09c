"""The cross-cutting HTTP rules of the Mattermost API (reference section 0)."""

import json

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_api_routes_answer_a_json_404(client):
    for method in ("get", "post", "put", "delete"):
        response = getattr(client, method)("/api/v4/no/such/route")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["id"] == "api.context.404.app_error"
        assert body["status_code"] == 404
        assert body["request_id"] == response["X-Request-ID"]


def test_ping_is_open_and_plain_json(api_as):
    assert api_as(None).get("system/ping")["status"] == "OK"


def test_requests_without_a_session_get_401_in_the_envelope(api_as):
    admin = UserFactory()
    body = api_as(None).get(f"users/{admin.id}", status=401)
    assert body["id"] == "api.context.session_expired.app_error"


def test_an_invalid_token_gets_401(api_as):
    from django.test import Client

    from tests.conftest import ApiClient

    ApiClient(Client(), "not-a-real-token").get("users/me", status=401)


def test_me_alias_and_bearer_scheme_in_any_case(client, api_as):
    user = UserFactory()
    api = api_as(user)
    assert api.get("users/me")["id"] == user.id
    response = client.get("/api/v4/users/me", HTTP_AUTHORIZATION=f"BEARER {api.token}")
    assert response.json()["id"] == user.id
    # Never in the query string on HTTP: access logs record it.
    response = client.get(f"/api/v4/users/me?access_token={api.token}")
    assert response.status_code == 401


def test_login_answers_200_with_the_token_header_and_body_without_content_type(client):
    UserFactory(username="alice")
    response = client.generic(
        "POST",
        "/api/v4/users/login",
        json.dumps({"login_id": "alice", "password": "Correct-Horse-7", "token": None}),
        content_type="",
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    token = response["Token"]
    me = client.get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "alice"


def test_double_slashes_in_paths_are_collapsed(api_as):
    user = UserFactory()
    assert api_as(user).get("/api/v4//users//me")["id"] == user.id


def test_a_null_body_is_accepted_as_empty(client, api_as):
    user = UserFactory()
    api = api_as(user)
    response = client.generic(
        "POST", "/api/v4/users/logout", "null", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )
    assert response.status_code == 200
    assert response.json() == {"status": "OK"}
    api.get("users/me", status=401)  # the session ended


def test_a_json_body_sent_as_a_form_is_read_as_json(client):
    """`curl -d '{...}'` without a Content-Type header sends a form type; Mattermost reads
    every API body as JSON, and scripts written for it rely on that."""
    UserFactory(username="alice")
    response = client.post(
        "/api/v4/users/login",
        json.dumps({"login_id": "alice", "password": "Correct-Horse-7"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "alice"
