"""Interactive message actions: `POST /api/v4/posts/{post_id}/actions/{action_id}` calls the
integration behind a button, against a real loopback integration server."""

import json

import pytest

from apps.posts.models import Post, PostEdit
from tests.channels.world import World, build_world
from tests.loopback import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> World:
    return build_world()


def answering(answer, status=200, content_type="application/json"):
    """An integration that answers every call with `answer` (a dict, bytes or None)."""

    def behaviour(handler):
        if answer is None:
            body = b""
        elif isinstance(answer, bytes):
            body = answer
        else:
            body = json.dumps(answer).encode()
        reply(handler, status, body, {"Content-Type": content_type})

    return behaviour


def button_props(url: str, *, action_id="approve", context=None) -> dict:
    return {
        "attachments": [
            {
                "text": "Deploy to production?",
                "actions": [
                    {
                        "id": action_id,
                        "name": "Approve",
                        "integration": {"url": url, "context": context or {"ticket": 42}},
                    },
                    {"id": "later", "name": "Later", "type": "button"},
                ],
            }
        ]
    }


@pytest.fixture
def integration(server_factory, allow_loopback):
    """A loopback integration that updates the post and tells the clicker so."""
    return server_factory(
        answering(
            {
                "update": {"message": "Approved by the button", "props": {}},
                "ephemeral_text": "You approved <https://ci.example.com/42|build 42>.",
            }
        )
    )


def post_with_button(api_as, world: World, url: str, **kwargs) -> dict:
    return api_as(world.alice).post(
        "posts",
        {
            "channel_id": world.lobby.id,
            "message": "Release 4.2 is ready",
            "props": button_props(f"{url}/hooks/deploy", **kwargs),
        },
        status=201,
    )


def test_integrations_are_stored_but_never_sent_to_clients(api_as, world, integration):
    created = post_with_button(api_as, world, integration.url)
    stored = Post.objects.get(id=created["id"]).props
    assert stored["attachments"][0]["actions"][0]["integration"]["url"].endswith("/hooks/deploy")
    for seen in (
        created,
        api_as(world.bob).get(f"posts/{created['id']}"),
        api_as(world.bob).get(f"channels/{world.lobby.id}/posts")["posts"][created["id"]],
    ):
        actions = seen["props"]["attachments"][0]["actions"]
        assert [a["id"] for a in actions] == ["approve", "later"]
        assert all("integration" not in a for a in actions)
        assert actions[0]["name"] == "Approve"


def test_posted_event_carries_no_integration(api_as, world, integration, capture_events):
    with capture_events() as events:
        post_with_button(api_as, world, integration.url)
    [posted] = events.named("posted")
    assert "integration" not in posted.data["post"]
    assert "/hooks/deploy" not in posted.data["post"]


def test_click_sends_the_integration_request_and_applies_the_answer(
    api_as, world, integration, capture_events
):
    created = post_with_button(api_as, world, integration.url)
    with capture_events() as events:
        answer = api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {})
    assert answer == {"status": "OK", "goto_location": ""}

    [call] = integration.requests
    assert call["method"] == "POST"
    assert call["path"] == "/hooks/deploy"
    assert call["headers"]["Content-Type"] == "application/json"
    sent = json.loads(call["body"])
    assert sent["trigger_id"]
    assert {k: v for k, v in sent.items() if k != "trigger_id"} == {
        "user_id": world.bob.id,
        "user_name": "bob",
        "channel_id": world.lobby.id,
        "channel_name": world.lobby.name,
        "team_id": world.team.id,
        "team_domain": world.team.name,
        "post_id": created["id"],
        "type": "button",
        "data_source": "",
        "context": {"ticket": 42},
    }

    post = Post.objects.get(id=created["id"])
    assert post.message == "Approved by the button"
    assert post.props == {}
    assert post.edit_at > 0
    assert PostEdit.objects.get(post=post).message == "Release 4.2 is ready"
    [edited] = events.named("post_edited")
    assert json.loads(edited.data["post"])["message"] == "Approved by the button"
    [ephemeral] = events.named("ephemeral_message")
    assert ephemeral.broadcast.user_id == world.bob.id
    shown = json.loads(ephemeral.data["post"])
    assert shown["message"] == "You approved [build 42](https://ci.example.com/42)."
    assert shown["user_id"] == world.alice.id
    assert shown["channel_id"] == world.lobby.id


def test_menu_choice_reaches_the_integration_as_selected_option(
    api_as, world, server_factory, allow_loopback
):
    integration = server_factory(answering(None))
    created = post_with_button(api_as, world, integration.url, context={"step": "pick"})
    api_as(world.carol).post(
        f"posts/{created['id']}/actions/approve", {"selected_option": "staging"}
    )
    sent = json.loads(integration.requests[0]["body"])
    assert sent["context"] == {"step": "pick", "selected_option": "staging"}
    assert sent["user_name"] == "carol"


@pytest.mark.parametrize(
    "answer",
    [None, b"not json at all", b"[1, 2]", {"update": "nonsense", "ephemeral_text": 7}],
    ids=["empty", "not-json", "not-an-object", "ill-typed"],
)
def test_answers_without_changes_leave_the_post_alone(
    api_as, world, server_factory, allow_loopback, capture_events, answer
):
    integration = server_factory(answering(answer))
    created = post_with_button(api_as, world, integration.url)
    with capture_events() as events:
        api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {})
    post = Post.objects.get(id=created["id"])
    assert post.message == "Release 4.2 is ready"
    assert post.edit_at == 0
    assert events.named("post_edited") == []
    assert events.named("ephemeral_message") == []


def test_update_may_bring_new_buttons_and_keeps_webhook_props(
    api_as, world, server_factory, allow_loopback
):
    from apps.posts.services import post_create

    next_url = "http://127.0.0.1:9/hooks/next"
    integration = server_factory(
        answering(
            {
                "update": {
                    "props": {
                        "from_webhook": "false",
                        "attachments": [
                            {"actions": [{"name": "Next", "integration": {"url": next_url}}]}
                        ],
                    }
                }
            }
        )
    )
    post = post_create(
        actor=world.alice,
        channel=world.lobby,
        message="from a hook",
        integration_props={"from_webhook": "true", **button_props(f"{integration.url}/h")},
    )
    api_as(world.bob).post(f"posts/{post.id}/actions/approve", {})
    post.refresh_from_db()
    assert post.message == "from a hook"
    assert post.props["from_webhook"] == "true"
    [action] = post.props["attachments"][0]["actions"]
    assert action["integration"] == {"url": next_url}
    assert len(action["id"]) == 26
    assert action["id"].isalnum()


def test_goto_location_is_passed_on(api_as, world, server_factory, allow_loopback):
    integration = server_factory(answering({"goto_location": "https://example.com/ticket/42"}))
    created = post_with_button(api_as, world, integration.url)
    answer = api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {})
    assert answer["goto_location"] == "https://example.com/ticket/42"


def test_integration_error_status_is_a_400_and_changes_nothing(
    api_as, world, server_factory, allow_loopback
):
    integration = server_factory(answering({"update": {"message": "no"}}, status=500))
    created = post_with_button(api_as, world, integration.url)
    error = api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {}, status=400)
    assert error["id"] == "api.post.do_action.action_integration.app_error"
    assert Post.objects.get(id=created["id"]).message == "Release 4.2 is ready"


def test_private_addresses_are_refused_without_the_allow_list(api_as, world, server_factory):
    integration = server_factory(answering({}))
    created = post_with_button(api_as, world, integration.url)
    api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {}, status=400)
    assert integration.requests == []


def test_only_readers_of_the_post_may_click(api_as, world, integration):
    created = api_as(world.alice).post(
        "posts",
        {
            "channel_id": world.secret.id,
            "message": "private button",
            "props": button_props(f"{integration.url}/hooks/deploy"),
        },
        status=201,
    )
    for stranger in (world.carol, world.outsider, world.admin):
        api_as(stranger).post(f"posts/{created['id']}/actions/approve", {}, status=404)
    api_as(None).post(f"posts/{created['id']}/actions/approve", {}, status=401)
    assert integration.requests == []
    api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {})
    assert len(integration.requests) == 1


def test_unknown_action_or_post_or_action_without_integration(api_as, world, integration):
    created = post_with_button(api_as, world, integration.url)
    client = api_as(world.bob)
    missing = client.post(f"posts/{created['id']}/actions/nosuch", {}, status=404)
    assert missing["id"] == "api.post.do_action.action_id.app_error"
    client.post(f"posts/{'x' * 26}/actions/approve", {}, status=404)
    bare = client.post(f"posts/{created['id']}/actions/later", {}, status=400)
    assert bare["id"] == "api.post.do_action.action_integration.app_error"
    client.post(f"posts/{created['id']}/actions/approve", {"selected_option": ["a"]}, status=400)
    assert integration.requests == []


def test_a_deleted_post_has_no_buttons(api_as, world, integration):
    created = post_with_button(api_as, world, integration.url)
    api_as(world.alice).delete(f"posts/{created['id']}")
    api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {}, status=404)
    assert integration.requests == []


def test_ill_formed_integrations_are_refused_at_posting(api_as, world):
    for integration in ("http://x", {"url": "ftp://example.com/x"}, {"url": 5}, {"url": ""}):
        props = {"attachments": [{"actions": [{"name": "Go", "integration": integration}]}]}
        api_as(world.alice).post(
            "posts",
            {"channel_id": world.lobby.id, "message": "m", "props": props},
            status=400,
        )


def test_action_ids_are_made_unique_and_safe(api_as, world):
    actions = [
        {"name": "One", "id": "same"},
        {"name": "Two", "id": "same"},
        {"name": "Three", "id": "../../etc"},
        {"name": "Four"},
    ]
    created = api_as(world.alice).post(
        "posts",
        {
            "channel_id": world.lobby.id,
            "message": "m",
            "props": {"attachments": [{"actions": actions}]},
        },
        status=201,
    )
    ids = [a["id"] for a in created["props"]["attachments"][0]["actions"]]
    assert ids[0] == "same"
    assert len(set(ids)) == 4
    assert all(i.isalnum() for i in ids)


def test_an_edit_by_the_author_keeps_the_buttons_working(api_as, world, integration):
    created = post_with_button(api_as, world, integration.url)
    alice = api_as(world.alice)
    edited = alice.put(
        f"posts/{created['id']}/patch",
        {"message": "Release 4.2 is ready (rebuilt)", "props": created["props"]},
    )
    assert "integration" not in json.dumps(edited)
    api_as(world.bob).post(f"posts/{created['id']}/actions/approve", {})
    assert len(integration.requests) == 1
    history = alice.get(f"posts/{created['id']}/edit_history")
    assert "integration" not in json.dumps(history)
