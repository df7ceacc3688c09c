"""Custom slash commands run: the call to the integration, its answer, the response URL."""

import json
import threading

import pytest
from django.db import connections, transaction

from apps.channels.models import Channel
from apps.core.errors import InvalidInput, NotFound
from apps.integrations import services_custom_commands
from apps.integrations.errors import OutboundRefused
from apps.integrations.models import Command, CommandWebhook
from apps.integrations.services_commands import command_execute, command_webhook_execute
from apps.integrations.services_custom_commands import (
    CommandFailed,
    command_create,
    command_delete,
    command_update,
    command_webhook_use,
)
from apps.posts.models import Post
from tests.channels.world import World, build_world, say
from tests.integrations.helpers import Integration

pytestmark = pytest.mark.django_db

FORM_KEYS = {
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "trigger_id",
    "response_url",
}


def run(world: World, command: str, *, actor=None, channel=None, **kwargs):
    return command_execute(
        actor=actor or world.alice,
        channel_id=(channel or world.lobby).id,
        command=command,
        **kwargs,
    )


def newest(channel) -> Post:
    return Post.objects.filter(channel=channel).latest("create_at", "id")


def ephemerals(events) -> list[dict]:
    return [json.loads(e.data["post"]) for e in events.named("ephemeral_message")]


def hook_of(integration: Integration) -> str:
    return integration.fields()["response_url"].rsplit("/", 1)[1]


# --- executing: the request to the integration ------------------------------------------------


def test_post_command_sends_mattermosts_form_fields_and_headers(
    world, deploy, integration, settings
):
    settings.SITE_URL = "https://chat.example.com"
    root = say(world.bob, world.lobby, "release?")
    integration.answer_json({"response_type": "in_channel", "text": "on it"})

    response = run(world, "/deploy  prod now", root_id=root.id)

    [call] = integration.calls
    assert (call["method"], call["path"]) == ("POST", "/slash")
    assert call["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert call["headers"]["Accept"] == "application/json"
    assert call["headers"]["Authorization"] == f"Token {deploy.token}"
    fields = integration.fields()
    assert set(fields) == FORM_KEYS
    hook = CommandWebhook.objects.get()
    assert fields == {
        "token": deploy.token,
        "team_id": world.team.id,
        "team_domain": "acme",
        "channel_id": world.lobby.id,
        "channel_name": "lobby",
        "user_id": world.alice.id,
        "user_name": "alice",
        "command": "/deploy",
        "text": "prod now",
        "trigger_id": response["trigger_id"],
        "response_url": f"https://chat.example.com/hooks/commands/{hook.id}",
    }
    assert (hook.user_id, hook.channel_id, hook.root_id, hook.use_count) == (
        world.alice.id,
        world.lobby.id,
        root.id,
        0,
    )
    assert (newest(world.lobby).message, newest(world.lobby).root_id) == ("on it", root.id)


def test_get_command_sends_the_same_fields_in_the_query_string(world, deploy, integration):
    command_update(
        actor=world.bob, command=deploy, data={"method": "G", "url": f"{integration.url}?v=2"}
    )

    run(world, "/deploy staging")

    [call] = integration.calls
    assert (call["method"], call["body"]) == ("GET", b"")
    assert call["path"].startswith("/slash?v=2&")
    assert call["headers"]["Authorization"] == f"Token {deploy.token}"
    assert call["headers"]["Accept"] == "application/json"
    fields = integration.fields()
    assert set(fields) == FORM_KEYS | {"v"}
    assert (fields["command"], fields["text"], fields["token"]) == (
        "/deploy",
        "staging",
        deploy.token,
    )


def test_a_refused_address_is_a_400_before_any_call(world, deploy, integration, settings):
    settings.CONFAB_OUTBOUND_ALLOWED_HOSTS = []
    with pytest.raises(OutboundRefused) as refused:
        run(world, "/deploy")
    assert refused.value.status_code == 400
    assert integration.calls == []


@pytest.mark.django_db(transaction=True)
def test_the_integration_is_called_outside_any_transaction(
    server_factory, allow_loopback, monkeypatch
):
    """Nothing is held open (or locked) while the integration takes its time, and the
    response URL is already committed, so an integration may use it before it answers."""
    world = build_world()
    integration = Integration(server_factory)
    command_create(
        actor=world.bob, team_id=world.team.id, trigger="deploy", url=integration.url, method="P"
    )
    seen = []
    original = services_custom_commands.outbound.post_form

    def spy(url, fields, **kwargs):
        seen.append(transaction.get_connection().in_atomic_block)
        hook_id = fields["response_url"].rsplit("/", 1)[1]
        seen.append(_committed(hook_id))
        return original(url, fields, **kwargs)

    monkeypatch.setattr(services_custom_commands.outbound, "post_form", spy)
    run(world, "/deploy")
    assert seen == [False, True]


def _committed(hook_id: str) -> bool:
    """Whether another connection (another request) sees the row."""
    found = []

    def look() -> None:
        try:
            found.append(CommandWebhook.objects.filter(id=hook_id).exists())
        finally:
            connections.close_all()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join(timeout=10)
    return found == [True]


# --- executing: applying the answer ------------------------------------------------------------


def test_a_json_in_channel_answer_posts_as_the_caller(world, deploy, integration, capture_events):
    integration.answer_json({"response_type": "in_channel", "text": "Deploying <https://ci|#42>"})

    with capture_events() as events:
        response = run(world, "/deploy")

    post = newest(world.lobby)
    assert (post.message, post.user_id, post.type) == (
        "Deploying [#42](https://ci)",
        world.alice.id,
        "",
    )
    assert post.props == {"from_webhook": "true"}
    assert [e.event for e in events] == ["posted"]
    assert response["response_type"] == "in_channel"
    assert response["text"] == "Deploying [#42](https://ci)"
    assert response["trigger_id"] == integration.fields()["trigger_id"]
    assert (response["extra_responses"], response["goto_location"]) == ([], "")


def test_an_ephemeral_answer_is_shown_to_the_caller_only(
    world, deploy, integration, capture_events
):
    integration.answer_json({"response_type": "ephemeral", "text": "Only you see this"})
    before = Post.objects.count()

    with capture_events() as events:
        run(world, "/deploy", actor=world.carol)

    assert Post.objects.count() == before
    [shown] = ephemerals(events)
    assert (shown["message"], shown["user_id"]) == ("Only you see this", world.carol.id)
    [event] = events.named("ephemeral_message")
    assert event.broadcast.user_id == world.carol.id


def test_an_ephemeral_answer_keeps_its_attachments(world, deploy, integration, capture_events):
    integration.answer_json(
        {
            "response_type": "ephemeral",
            "attachments": [{"fallback": "Build", "text": "see <https://ci|CI>"}],
        }
    )
    with capture_events() as events:
        run(world, "/deploy")
    [shown] = ephemerals(events)
    assert shown["message"] == ""
    assert shown["props"]["attachments"] == [{"fallback": "Build", "text": "see [CI](https://ci)"}]


def test_a_plain_text_answer_is_the_text_of_an_ephemeral_answer(
    world, deploy, integration, capture_events
):
    integration.answer_text("Queued: 3 jobs")

    with capture_events() as events:
        response = run(world, "/deploy")

    assert (response["response_type"], response["text"]) == ("ephemeral", "Queued: 3 jobs")
    assert [p["message"] for p in ephemerals(events)] == ["Queued: 3 jobs"]


def test_an_empty_answer_posts_nothing(world, deploy, integration, capture_events):
    integration.answer(200, b"", "text/plain")
    before = Post.objects.count()
    with capture_events() as events:
        response = run(world, "/deploy")
    assert (response["text"], len(events), Post.objects.count()) == ("", 0, before)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error_id"),
    [
        (500, b"boom", "text/plain", "api.command.execute_command.failed_resp.app_error"),
        (201, b"{}", "application/json", "api.command.execute_command.failed_resp.app_error"),
        (200, b"{not json", "application/json", "api.command.execute_command.failed.app_error"),
        (200, b"[1, 2]", "application/json", "api.command.execute_command.failed.app_error"),
        (200, b'{"text": 5}', "application/json", "api.command.execute_command.failed.app_error"),
    ],
)
def test_an_unusable_answer_fails_the_command(
    world, deploy, integration, status, body, content_type, error_id
):
    integration.answer(status, body, content_type)
    before = Post.objects.count()

    with pytest.raises(CommandFailed) as failed:
        run(world, "/deploy")

    assert (failed.value.status_code, failed.value.error_id) == (500, error_id)
    assert failed.value.message == "Command with a trigger of '/deploy' failed."
    assert Post.objects.count() == before


def test_an_unreachable_integration_fails_the_command(world, deploy, integration):
    integration.server.close()
    with pytest.raises(CommandFailed) as failed:
        run(world, "/deploy")
    assert failed.value.error_id == "api.command.execute_command.failed.app_error"


def test_extra_responses_are_each_applied(world, deploy, integration, capture_events):
    integration.answer_json(
        {
            "response_type": "in_channel",
            "text": "first",
            "extra_responses": [
                {"response_type": "ephemeral", "text": "just for you"},
                {"response_type": "in_channel", "text": "second", "props": {"step": 2}},
                {"response_type": "in_channel", "text": ""},
            ],
        }
    )

    with capture_events() as events:
        response = run(world, "/deploy")

    first, second = Post.objects.filter(channel=world.lobby).order_by("-create_at", "-id")[:2][::-1]
    assert (first.message, second.message, second.props["step"]) == ("first", "second", 2)
    assert [p["message"] for p in ephemerals(events)] == ["just for you"]
    assert [e["text"] for e in response["extra_responses"]] == ["just for you", "second", ""]
    assert response["extra_responses"][0]["response_type"] == "ephemeral"


def test_overrides_only_when_the_settings_allow_them(world, deploy, integration, settings):
    answer = {
        "response_type": "in_channel",
        "text": "hi",
        "username": "robot",
        "icon_url": "https://i/r.png",
    }
    integration.answer_json(answer)
    run(world, "/deploy")
    assert newest(world.lobby).props == {"from_webhook": "true"}

    settings.CONFAB_ENABLE_POST_USERNAME_OVERRIDE = True
    settings.CONFAB_ENABLE_POST_ICON_OVERRIDE = True
    run(world, "/deploy")
    assert newest(world.lobby).props == {
        "from_webhook": "true",
        "override_username": "robot",
        "override_icon_url": "https://i/r.png",
    }

    # The command's own name and icon win over the answer's.
    command_update(
        actor=world.bob,
        command=deploy,
        data={"username": "deployer", "icon_url": "https://i/d.png"},
    )
    run(world, "/deploy")
    assert newest(world.lobby).props["override_username"] == "deployer"
    assert newest(world.lobby).props["override_icon_url"] == "https://i/d.png"


def test_a_person_cannot_claim_integration_props_through_the_answer(world, deploy, integration):
    integration.answer_json(
        {
            "response_type": "in_channel",
            "text": "hi",
            "props": {"override_username": "ceo", "k": "v"},
        }
    )
    run(world, "/deploy")
    assert newest(world.lobby).props == {"k": "v", "from_webhook": "true"}


def test_attachments_become_a_slack_attachment_post(world, deploy, integration):
    integration.answer_json(
        {
            "response_type": "in_channel",
            "attachments": [
                {
                    "fallback": "Build",
                    "text": "see <https://ci|CI>",
                    "fields": [{"title": "n", "value": 3}],
                }
            ],
        }
    )

    run(world, "/deploy")

    post = newest(world.lobby)
    assert (post.type, post.message) == ("slack_attachment", "")
    [attachment] = post.props["attachments"]
    assert attachment["text"] == "see [CI](https://ci)"
    assert attachment["fields"] == [{"title": "n", "value": "3"}]
    assert post.props["from_webhook"] == "true"


def test_builtins_win_over_a_custom_command_of_the_same_trigger(world, integration):
    Command.objects.create(
        creator=world.bob, team=world.team, trigger="shrug", url=integration.url, token="t"
    )
    response = run(world, "/shrug ok")
    assert response["response_type"] == "in_channel"
    assert integration.calls == []


def test_a_direct_message_uses_the_team_the_client_names(world, deploy, integration):
    integration.answer_json({"response_type": "in_channel", "text": "from a DM"})

    run(world, "/deploy", channel=world.dm, team_id=world.team.id)

    assert newest(world.dm).message == "from a DM"
    assert integration.fields()["channel_id"] == world.dm.id
    with pytest.raises(NotFound):
        run(world, "/deploy", channel=world.dm)
    with pytest.raises(NotFound):  # a team the caller is not in gives no commands
        run(world, "/deploy", channel=world.dm, team_id=world.other_team.id)


def test_commands_of_another_team_or_deleted_ones_are_not_found(world, deploy, integration):
    with pytest.raises(NotFound):
        run(
            world,
            "/deploy",
            actor=world.outsider,
            channel=Channel.objects.filter(team=world.other_team).first(),
        )
    command_delete(actor=world.bob, command=deploy)
    with pytest.raises(NotFound) as missing:
        run(world, "/deploy")
    assert missing.value.error_id == "api.command.execute_command.not_found.app_error"
    assert integration.calls == []


def test_a_caller_who_may_not_post_gets_an_ephemeral_error(
    world, deploy, integration, capture_events
):
    """dave reads the public lobby without being in it: he may run the command there."""
    integration.answer_json({"response_type": "in_channel", "text": "hello"})
    with capture_events() as events:
        run(world, "/deploy", actor=world.dave)
    [shown] = ephemerals(events)
    assert "Join the channel first" in shown["message"]
    assert not Post.objects.filter(channel=world.lobby, user=world.dave).exists()


# --- answering later through the response URL ---------------------------------------------------


@pytest.fixture
def hook_id(world, deploy, integration) -> str:
    """The response URL of alice's `/deploy` in a lobby thread."""
    root = say(world.bob, world.lobby, "thread")
    run(world, "/deploy", root_id=root.id)
    return hook_of(integration)


def test_the_response_url_posts_later_in_the_same_thread_as_the_caller(
    world, hook_id, capture_events
):
    with capture_events() as events:
        command_webhook_execute(
            hook_id=hook_id, response={"response_type": "in_channel", "text": "done"}
        )
        command_webhook_execute(hook_id=hook_id, response={"text": "psst"})

    post = newest(world.lobby)
    hook = CommandWebhook.objects.get(id=hook_id)
    assert (post.message, post.user_id, post.root_id) == ("done", world.alice.id, hook.root_id)
    assert post.props["from_webhook"] == "true"
    assert [p["message"] for p in ephemerals(events)] == ["psst"]
    assert hook.use_count == 2


def test_the_response_url_dies_with_its_command(world, deploy, hook_id):
    command_delete(actor=world.bob, command=deploy)
    with pytest.raises(InvalidInput, match="deleted"):
        command_webhook_execute(hook_id=hook_id, response={"text": "x"})


def test_an_unknown_response_url_or_a_bad_body_is_refused_without_using_it(world, hook_id):
    for unknown in ("a" * 26, "nope"):
        with pytest.raises(InvalidInput) as refused:
            command_webhook_execute(hook_id=unknown, response={"text": "x"})
        assert refused.value.error_id == "web.command_webhook.invalid.app_error"
    with pytest.raises(InvalidInput) as refused:
        command_webhook_execute(hook_id=hook_id, response={"text": ["not", "text"]})
    assert refused.value.error_id == "web.command_webhook.parse.app_error"
    assert CommandWebhook.objects.get(id=hook_id).use_count == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_never_exceed_the_limit(server_factory, allow_loopback):
    """Eight calls at once: the row lock lets exactly five through."""
    world = build_world()
    integration = Integration(server_factory)
    command = command_create(
        actor=world.bob, team_id=world.team.id, trigger="deploy", url=integration.url, method="P"
    )
    hook = CommandWebhook.objects.create(command=command, user=world.alice, channel=world.lobby)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def use() -> None:
        try:
            start.wait()
            command_webhook_use(hook_id=hook.id)
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 3
    assert CommandWebhook.objects.get(id=hook.id).use_count == 5
