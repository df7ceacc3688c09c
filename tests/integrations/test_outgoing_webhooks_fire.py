"""Outgoing webhooks firing: triggers, callback payloads (loopback servers), answers, wiring."""

import json
import logging
import time
from urllib.parse import parse_qs

import pytest
from django.db import transaction

from apps.accounts.services.users import user_deactivate
from apps.channels.services import channel_join
from apps.integrations import services_outgoing
from apps.integrations.models import OUTGOING_CONTENT_JSON
from apps.integrations.services import incoming_webhook_create, incoming_webhook_execute
from apps.integrations.services_outgoing import (
    outgoing_webhook_delete,
    outgoing_webhook_regen_token,
    outgoing_webhooks_fire,
)
from apps.integrations.tasks import outgoing_webhooks_fire_task
from apps.posts.models import Post
from apps.posts.services import post_delete
from apps.teams.services import team_member_remove
from tests.channels.world import say
from tests.files.helpers import upload
from tests.integrations.helpers import make_hook
from tests.loopback import reply

pytestmark = pytest.mark.django_db

PAYLOAD_KEYS = {
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "timestamp",
    "user_id",
    "user_name",
    "post_id",
    "text",
    "trigger_word",
    "file_ids",
}


def answering(body: dict | bytes | None = None, status: int = 200, delay: float = 0.0):
    """A callback that answers `body` (JSON for a dict) with `status`, after `delay` s."""
    raw = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")

    def behaviour(handler) -> None:
        if delay:
            time.sleep(delay)
        reply(handler, status, raw, {"Content-Type": "application/json"})

    return behaviour


@pytest.fixture
def post_fired(django_capture_on_commit_callbacks):
    """Post through `post_create` and run what its commit sets off (the eager task)."""

    def post(actor, channel, message, **kwargs) -> Post:
        with django_capture_on_commit_callbacks(execute=True):
            return say(actor, channel, message, **kwargs)

    return post


@pytest.fixture
def no_swallowed_errors(caplog):
    """On-commit callbacks are robust: an exception in them is only logged. Fail on one."""
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
def callback(server_factory, allow_loopback, no_swallowed_errors):
    """A callback that answers 200 with an empty body."""
    return server_factory(answering())


def form_of(request: dict) -> dict[str, str]:
    """The form fields a callback received (each given once)."""
    fields = parse_qs(request["body"].decode(), keep_blank_values=True)
    return {name: value for name, [value] in fields.items()}


def answers_in(channel) -> list[Post]:
    return list(
        Post.objects.filter(channel=channel, props__from_webhook="true").order_by("create_at")
    )


# --- what a callback receives ----------------------------------------------------------------


def test_a_json_hook_receives_the_whole_payload_with_ms_timestamp(world, callback, post_fired):
    hook = make_hook(world, [f"{callback.url}/in?x=1"], content_type=OUTGOING_CONTENT_JSON)
    files = [upload(world.bob, world.lobby, "a.txt"), upload(world.bob, world.lobby, "b.txt")]

    post = post_fired(world.bob, world.lobby, "deploy  the app", file_ids=[f.id for f in files])

    (request,) = callback.requests
    assert (request["method"], request["path"]) == ("POST", "/in?x=1")
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Accept"] == "application/json"
    assert json.loads(request["body"]) == {
        "token": hook.token,
        "team_id": world.team.id,
        "team_domain": "acme",
        "channel_id": world.lobby.id,
        "channel_name": "lobby",
        "timestamp": post.create_at,
        "user_id": world.bob.id,
        "user_name": "bob",
        "post_id": post.id,
        "text": "deploy  the app",
        "trigger_word": "deploy",
        "file_ids": f"{files[0].id},{files[1].id}",
    }


def test_a_form_hook_receives_form_fields_with_seconds_timestamp(world, callback, post_fired):
    hook = make_hook(world, [callback.url])

    post = post_fired(world.carol, world.lobby, "deploy staging")

    (request,) = callback.requests
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    fields = form_of(request)
    assert set(fields) == PAYLOAD_KEYS
    assert fields["timestamp"] == str(post.create_at // 1000)
    assert (fields["token"], fields["post_id"], fields["user_name"]) == (
        hook.token,
        post.id,
        "carol",
    )
    assert (fields["text"], fields["trigger_word"], fields["file_ids"]) == (
        "deploy staging",
        "deploy",
        "",
    )


def test_exact_hooks_match_the_whole_first_word_and_prefix_hooks_its_start(
    world, callback, post_fired
):
    make_hook(world, [f"{callback.url}/exact"], trigger_words=["deploy"])
    make_hook(world, [f"{callback.url}/prefix"], trigger_words=["!we", "sh"], trigger_when=1)

    for message in ["deployment", "please deploy", "Deploy", "deploy", "!weather Paris", "ship"]:
        post_fired(world.bob, world.lobby, message)

    received = [
        (r["path"], form_of(r)["text"], form_of(r)["trigger_word"]) for r in callback.requests
    ]
    assert received == [
        ("/exact", "deploy", "deploy"),
        ("/prefix", "!weather Paris", "!we"),
        ("/prefix", "ship", "sh"),
    ]


def test_a_channel_hook_without_words_gets_every_post_of_its_channel_only(
    world, callback, post_fired
):
    make_hook(world, [callback.url], channel_id=world.lobby.id, trigger_words=[])
    make_hook(world, [f"{callback.url}/words"], channel_id=world.lobby.id, trigger_words=["go"])

    post_fired(world.bob, world.lobby, "anything at all")
    post_fired(world.bob, world.town_square, "anything else")
    post_fired(world.bob, world.town_square, "go elsewhere")
    post_fired(world.bob, world.lobby, "go here")

    received = [
        (r["path"], form_of(r)["text"], form_of(r)["trigger_word"]) for r in callback.requests
    ]
    assert received == [
        ("/", "anything at all", ""),
        ("/", "go here", ""),
        ("/words", "go here", "go"),
    ]


def test_replies_fire_hooks_too(world, callback, post_fired):
    make_hook(world, [callback.url])
    root = post_fired(world.bob, world.lobby, "root")
    post_fired(world.carol, world.lobby, "deploy from the thread", root_id=root.id)
    assert len(callback.requests) == 1


@pytest.mark.parametrize("where", ["secret", "dm", "group"])
def test_private_conversations_are_never_sent(world, callback, post_fired, where):
    make_hook(world, [callback.url])
    post_fired(world.alice, getattr(world, where), "deploy the secret plans")
    assert callback.requests == []


def test_posts_of_webhooks_and_system_messages_fire_nothing(
    world, callback, post_fired, django_capture_on_commit_callbacks
):
    make_hook(world, [callback.url], channel_id=world.lobby.id, trigger_words=[])
    incoming = incoming_webhook_create(actor=world.alice, channel_id=world.lobby.id)

    with django_capture_on_commit_callbacks(execute=True):
        incoming_webhook_execute(hook_id=incoming.id, payload={"text": "deploy from CI"})
        channel_join(actor=world.dave, channel_id=world.lobby.id)  # "dave joined the channel"
    assert Post.objects.filter(channel=world.lobby, type__startswith="system_").exists()
    assert callback.requests == []

    post_fired(world.dave, world.lobby, "hello")
    assert len(callback.requests) == 1


def test_a_post_deleted_before_the_task_runs_is_not_sent(world, callback):
    make_hook(world, [callback.url])
    post = say(world.bob, world.lobby, "deploy oops")  # its commit has not run the task
    post_delete(actor=world.bob, post_id=post.id)

    assert outgoing_webhooks_fire(post_id=post.id) == 0
    assert outgoing_webhooks_fire_task.delay("not-an-id").get() == 0
    assert callback.requests == []


def test_a_rolled_back_post_fires_nothing(world, callback, django_capture_on_commit_callbacks):
    make_hook(world, [callback.url])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        say(world.bob, world.lobby, "deploy never")
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert callback.requests == []


def test_the_new_token_is_sent_after_regen_and_deleted_hooks_stay_silent(
    world, callback, post_fired
):
    hook = make_hook(world, [callback.url])
    outgoing_webhook_regen_token(actor=world.alice, hook=hook)
    post_fired(world.bob, world.lobby, "deploy 1")
    outgoing_webhook_delete(actor=world.alice, hook=hook)
    post_fired(world.bob, world.lobby, "deploy 2")

    (request,) = callback.requests
    assert form_of(request)["token"] == hook.token


@pytest.mark.parametrize("leaves", ["deactivated", "left the team"])
def test_a_hook_stops_when_its_creator_leaves(world, callback, post_fired, leaves):
    make_hook(world, [callback.url], actor=world.carol)
    if leaves == "deactivated":
        user_deactivate(actor=world.admin, user=world.carol)
    else:
        team_member_remove(actor=world.owner, team_id=world.team.id, user_id=world.carol.id)
    post_fired(world.bob, world.lobby, "deploy")
    assert callback.requests == []


def test_a_system_admins_hook_fires_without_being_in_the_team(world, callback, post_fired):
    make_hook(world, [callback.url], actor=world.admin)
    post_fired(world.bob, world.lobby, "deploy")
    assert len(callback.requests) == 1


# --- what an answer posts ----------------------------------------------------------------------


def test_an_answer_is_posted_in_the_channel_as_the_hooks_creator(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired
):
    server = server_factory(answering({"text": "deploying <https://ci.example|build 7>"}))
    make_hook(world, [server.url], display_name="CI", username="ci-bot")

    trigger = post_fired(world.bob, world.lobby, "deploy")

    (answer,) = answers_in(world.lobby)
    assert (answer.user_id, answer.root_id, answer.type) == (world.alice.id, None, "")
    assert answer.message == "deploying [build 7](https://ci.example)"
    # Overrides are off by default: the post shows its author.
    assert answer.props == {"from_webhook": "true", "webhook_display_name": "CI"}
    assert Post.objects.get(id=trigger.id).message == "deploy"


def test_overrides_and_attachments_follow_the_settings(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired, settings
):
    settings.CONFAB_ENABLE_POST_USERNAME_OVERRIDE = True
    settings.CONFAB_ENABLE_POST_ICON_OVERRIDE = True
    attachment = {"text": "all green", "fields": [{"title": "tests", "value": 42, "short": "true"}]}
    server = server_factory(
        answering({"username": "shipper", "attachments": [attachment], "props": {"card": "kept"}})
    )
    make_hook(world, [server.url], username="ci-bot", icon_url="https://ci.example/i.png")

    post_fired(world.bob, world.lobby, "deploy")

    (answer,) = answers_in(world.lobby)
    assert answer.type == "slack_attachment" and answer.message == ""
    assert answer.props["override_username"] == "shipper"
    assert answer.props["override_icon_url"] == "https://ci.example/i.png"
    assert answer.props["card"] == "kept"
    assert answer.props["attachments"][0]["fields"] == [
        {"title": "tests", "value": "42", "short": True}
    ]


def test_a_comment_answer_replies_in_the_thread_of_the_triggering_post(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired
):
    server = server_factory(answering({"text": "on it", "response_type": "comment"}))
    make_hook(world, [server.url])

    root = post_fired(world.bob, world.lobby, "deploy")
    reply_post = post_fired(world.carol, world.lobby, "deploy again", root_id=root.id)

    first, second = answers_in(world.lobby)
    assert first.root_id == root.id
    assert second.root_id == root.id  # a reply's thread is its root's
    assert Post.objects.get(id=root.id).reply_count == 3
    assert reply_post.root_id == root.id


def test_an_answer_never_fires_a_hook_again(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired
):
    server = server_factory(answering({"text": "deploy deploy deploy"}))
    make_hook(world, [server.url])
    make_hook(world, [f"{server.url}/all"], channel_id=world.lobby.id, trigger_words=[])

    post_fired(world.bob, world.lobby, "deploy")

    assert sorted(r["path"] for r in server.requests) == ["/", "/all"]
    assert len(answers_in(world.lobby)) == 2


def test_failing_callbacks_are_logged_and_the_next_url_is_still_called(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired, caplog, monkeypatch
):
    monkeypatch.setattr(services_outgoing, "CALLBACK_TIMEOUT", 0.5)
    broken = server_factory(answering({"text": "never"}, status=500))
    slow = server_factory(answering({"text": "too late"}, delay=2))
    garbled = server_factory(answering(b"{not json"))
    listed = server_factory(answering(b'["text"]'))
    silent = server_factory(answering())
    good = server_factory(answering({"text": "done"}))
    urls = [
        broken.url,
        "http://169.254.169.254/latest/meta-data",  # refused before connecting
        slow.url,
        garbled.url,
        listed.url,
        silent.url,
        good.url,
    ]
    make_hook(world, urls)
    caplog.set_level(logging.INFO, logger="apps.integrations.services_outgoing")

    trigger = post_fired(world.bob, world.lobby, "deploy")

    assert [len(s.requests) for s in (broken, slow, garbled, listed, silent, good)] == [1] * 6
    assert [p.message for p in answers_in(world.lobby)] == ["done"]
    assert Post.objects.get(id=trigger.id).delete_at == 0
    logged = " | ".join(r.getMessage() for r in caplog.records)
    for expected in [
        "answered HTTP 500",
        "169.254.169.254 failed: The destination address is not allowed.",
        "timed out",
        "something other than a JSON object",
        "answered with no body",
    ]:
        assert expected in logged, logged


def test_without_the_loopback_allowance_every_call_is_refused_and_nothing_breaks(
    world, server_factory, no_swallowed_errors, post_fired, caplog
):
    server = server_factory(answering({"text": "unreachable"}))
    make_hook(world, [server.url, f"{server.url}/again"])

    post = post_fired(world.bob, world.lobby, "deploy")

    assert server.requests == [] and answers_in(world.lobby) == []
    assert Post.objects.filter(id=post.id, delete_at=0).exists()
    refused = [r for r in caplog.records if "not allowed" in r.getMessage()]
    assert len(refused) == 2 and all(r.levelno == logging.WARNING for r in refused)


def test_an_answer_the_creator_may_not_post_is_logged_not_posted(
    world, server_factory, allow_loopback, no_swallowed_errors, post_fired, caplog
):
    server = server_factory(answering({"text": "hi", "type": "system_fake"}))
    make_hook(world, [server.url], actor=world.dave)  # in the team, not in the lobby

    post_fired(world.bob, world.lobby, "deploy")

    assert len(server.requests) == 1 and answers_in(world.lobby) == []
    assert "its answer was not posted" in caplog.text


# --- the wiring: signal, receiver, task --------------------------------------------------------


def test_the_task_is_queued_only_when_a_hook_watches_the_channel(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[str] = []
    monkeypatch.setattr(outgoing_webhooks_fire_task, "delay", queued.append)
    make_hook(world, ["http://a.example/"], channel_id=world.town_square.id, trigger_words=[])

    with django_capture_on_commit_callbacks(execute=True):
        in_lobby = say(world.bob, world.lobby, "deploy")  # no hook watches the lobby
        in_square = say(world.bob, world.town_square, "hello")
        say(world.bob, world.secret, "hello")

    assert queued == [in_square.id]
    assert in_lobby.id not in queued


def test_one_post_has_one_time_budget_for_all_its_calls(
    world, server_factory, allow_loopback, post_fired, caplog, settings
):
    settings.CONFAB_OUTGOING_WEBHOOKS_SECONDS_PER_POST = 1
    slow = server_factory(answering({"text": "slow"}, delay=1.5))
    after = server_factory(answering({"text": "never called"}))
    make_hook(world, [slow.url, after.url])
    caplog.set_level(logging.WARNING, logger="apps.integrations.services_outgoing")

    post_fired(world.bob, world.lobby, "deploy")

    assert len(slow.requests) == 1
    assert after.requests == []
    assert "ran out of time" in caplog.text


def test_the_task_is_acknowledged_when_it_starts():
    from apps.integrations.tasks import outgoing_webhooks_fire_task

    assert outgoing_webhooks_fire_task.acks_late is False
