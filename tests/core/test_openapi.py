"""The OpenAPI schema: served, warning-free, complete, and true to what the API answers.

The components are hand-written serializers (apps/*/api/schema.py) that only document
the wire functions, so these tests hold them to the real responses: every route under
/api/v4/ must be documented, and real answers must validate against the documented
schema of their operation and status code, with no undocumented keys.
"""

import importlib.util
import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from apps.core.ids import new_id
from tests.factories import UserFactory
from tests.openapi import Checked, _generate

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v4/"
NOT_DOCUMENTED = {"/api/v4/openapi.json"}  # the schema itself (SERVE_INCLUDE_SCHEMA)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, Any]:
    return _generate(tmp_path_factory.mktemp("openapi") / "schema.json")


# --- generation and serving ---------------------------------------------------------------


def test_the_schema_generates_without_warnings_and_validates(tmp_path) -> None:
    flags = ["--fail-on-warn"]
    if importlib.util.find_spec("jsonschema"):
        flags.append("--validate")  # checked against the OpenAPI 3 meta-schema
    generated = _generate(tmp_path / "schema.json", *flags)
    assert generated["openapi"].startswith("3.")
    assert generated["info"]["title"] == "Confab API"


def test_key_paths_and_components_are_documented(schema) -> None:
    paths = schema["paths"]
    for path, method in [
        ("/api/v4/users/login", "post"),
        ("/api/v4/users/{user_id}", "get"),
        ("/api/v4/teams", "post"),
        ("/api/v4/channels/{channel_id}/members", "get"),
        ("/api/v4/channels/{channel_id}/posts", "get"),
        ("/api/v4/posts", "post"),
        ("/api/v4/reactions", "post"),
        ("/api/v4/files", "post"),
        ("/api/v4/system/ping", "get"),
    ]:
        assert method in paths[path], (path, method)
    components = schema["components"]["schemas"]
    for name in [
        "AppError",
        "StatusOK",
        "User",
        "Session",
        "UserAccessToken",
        "Bot",
        "Status",
        "Preference",
        "Team",
        "TeamMember",
        "Channel",
        "ChannelMember",
        "ChannelUnread",
        "ChannelStats",
        "Post",
        "PostList",
        "Reaction",
        "FileInfo",
        "FileUploadResponse",
    ]:
        assert name in components, name
    assert {"bearerAuth", "mmAuthCookie"} <= set(schema["components"]["securitySchemes"])
    posts = paths["/api/v4/channels/{channel_id}/posts"]["get"]
    assert {"page", "per_page", "since", "before", "after"} <= {
        p["name"] for p in posts["parameters"]
    }


def test_every_operation_is_named_tagged_and_documents_its_errors(schema) -> None:
    seen = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            op_id = operation["operationId"]
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]+", op_id), (path, method, op_id)
            assert op_id not in seen, op_id
            seen.add(op_id)
            assert operation.get("tags"), (path, method)
            if operation.get("security"):  # needs a session: a 401 AppError is documented
                error = operation["responses"]["401"]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/AppError"}, (path, method)


def test_the_schema_is_served_as_json(client) -> None:
    response = client.get("/api/v4/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]
    body = json.loads(response.content)
    assert "/api/v4/users/login" in body["paths"]


# --- every route is documented --------------------------------------------------------------


def _api_routes(resolver: URLResolver | None = None, prefix: str = ""):
    """(path in OpenAPI form, view class) for every route under /api/v4/."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry.pattern, RoutePattern):
            route = prefix + str(entry.pattern)
        elif prefix.startswith(API_PREFIX):
            pytest.fail(f"a regex route under /api/v4/ cannot be checked: {entry.pattern}")
        else:
            continue  # the catch-all 404 and other regex routes outside the API
        if isinstance(entry, URLResolver):
            if route.startswith(API_PREFIX) or API_PREFIX.startswith(route):
                yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith(API_PREFIX):
            openapi = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            yield openapi, getattr(entry.callback, "view_class", None)


def test_every_api_route_and_method_is_in_the_schema(schema) -> None:
    routes = list(_api_routes())
    assert len(routes) > 50
    missing = []
    for path, view_class in routes:
        if path in NOT_DOCUMENTED:
            continue
        documented = schema["paths"].get(path, {})
        if not documented:
            missing.append(path)
            continue
        handlers = {m for m in HTTP_METHODS if view_class and hasattr(view_class, m)}
        missing += [f"{m.upper()} {path}" for m in sorted(handlers - set(documented))]
    assert not missing, "undocumented API routes: " + ", ".join(missing)


# --- the documented shapes are the real ones --------------------------------------------------


def test_real_answers_match_the_documented_schemas(schema, api_as) -> None:
    admin = UserFactory()  # the first account is a system admin
    bob = UserFactory()
    api = Checked(schema, api_as(admin))
    as_bob = Checked(schema, api_as(bob))
    anon = Checked(schema, api_as(None))

    anon("get", "system/ping")
    login = {"login_id": bob.username, "password": "Correct-Horse-7"}
    Checked(schema, api_as(None))("post", "users/login", login)  # its cookies stay there
    anon("get", "users/{user_id}", status=401, user_id="me")
    api("get", "users/{user_id}", user_id="me")
    as_bob("get", "users/{user_id}", user_id=admin.id)
    api("get", "users/{user_id}", status=404, user_id=new_id())
    api("get", "users", per_page=10)
    api("post", "users/ids", [admin.id, bob.id])
    api("get", "users/{user_id}/sessions", user_id="me")
    api("get", "users/{user_id}/status", user_id="me")
    api("post", "users/status/ids", [admin.id, bob.id])
    prefs = [{"user_id": admin.id, "category": "display", "name": "theme", "value": "dark"}]
    api("put", "users/{user_id}/preferences", prefs, user_id="me")
    api("get", "users/{user_id}/preferences", user_id="me")
    api("post", "users/{user_id}/tokens", {"description": "ci"}, user_id="me")
    api("get", "users/{user_id}/tokens", user_id="me")
    bot = api("post", "bots", {"username": "helper", "display_name": "Helper"}, status=201)
    api("get", "users/{user_id}", user_id=bot["user_id"])
    api("post", "bots/{bot_user_id}/disable", bot_user_id=bot["user_id"])

    team = api("post", "teams", {"name": "acme", "display_name": "Acme", "type": "O"}, status=201)
    api("get", "teams")
    api("get", "teams", include_total_count="true")
    body = {"team_id": team["id"], "user_id": bob.id}
    api("post", "teams/{team_id}/members", body, status=201, team_id=team["id"])
    api("get", "teams/{team_id}/members", team_id=team["id"])
    as_bob("get", "teams/{team_id}", team_id=team["id"])

    body = {"team_id": team["id"], "name": "ops", "display_name": "Ops", "type": "O"}
    channel = api("post", "channels", body, status=201)
    cid = channel["id"]
    api("post", "channels/{channel_id}/members", {"user_id": bob.id}, status=201, channel_id=cid)
    api("get", "channels/{channel_id}/members/{user_id}", channel_id=cid, user_id="me")
    api("get", "channels/{channel_id}/stats", channel_id=cid)
    api("post", "channels/direct", [admin.id, bob.id], status=201)
    api("get", "users/{user_id}/teams/{team_id}/channels", user_id="me", team_id=team["id"])

    upload = api.api.client.post(
        "/api/v4/files",
        {"channel_id": cid, "files": [SimpleUploadedFile("a.txt", b"hello")]},
        **api.api._headers(),
    )
    assert upload.status_code == 201
    api.validate("post", "files", 201, upload.json())
    file_id = upload.json()["file_infos"][0]["id"]
    api("get", "files/{file_id}/info", file_id=file_id)
    api("get", "files/{file_id}/link", status=501, file_id=file_id)

    body = {"channel_id": cid, "message": "hello", "file_ids": [file_id]}
    post = api("post", "posts", body, status=201)
    as_bob("post", "posts", {"channel_id": cid, "message": "re", "root_id": post["id"]}, status=201)
    body = {"user_id": "me", "post_id": post["id"], "emoji_name": "smile"}
    as_bob("post", "reactions", body, status=201)
    api("get", "posts/{post_id}", post_id=post["id"])
    api("get", "posts/{post_id}/thread", post_id=post["id"])
    api("get", "channels/{channel_id}/posts", channel_id=cid)
    api("post", "posts/ids/reactions", [post["id"]])
    api("get", "posts/{post_id}/files/info", post_id=post["id"])
    api("put", "posts/{post_id}/patch", {"message": "edited"}, post_id=post["id"])
    api("get", "posts/{post_id}/edit_history", post_id=post["id"])
    api("post", "posts/{post_id}/pin", post_id=post["id"])
    api("get", "channels/{channel_id}/pinned", channel_id=cid)
    as_bob("get", "users/{user_id}/channels/{channel_id}/unread", user_id="me", channel_id=cid)
    as_bob("post", "channels/members/{user_id}/view", {"channel_id": cid}, user_id="me")
    as_bob("get", "users/{user_id}/posts/flagged", status=403, user_id=admin.id)
    api("put", "posts/{post_id}", {"id": post["id"]}, status=400, post_id=new_id())
