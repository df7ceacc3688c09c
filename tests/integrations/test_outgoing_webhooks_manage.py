"""Outgoing webhooks: create, validate, update, delete, who manages them, the console."""

import pytest
from django.urls import reverse

from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.integrations.models import OUTGOING_CONTENT_JSON, OutgoingWebhook
from apps.integrations.permissions import access_outgoing_webhook
from apps.integrations.selectors import outgoing_webhook_list
from apps.integrations.services_outgoing import (
    outgoing_webhook_delete,
    outgoing_webhook_regen_token,
    outgoing_webhook_update,
)
from tests.integrations.helpers import make_hook

pytestmark = pytest.mark.django_db


def error_id(excinfo) -> str:
    return excinfo.value.error_id


# --- creating and managing -------------------------------------------------------------------


def test_a_team_member_creates_a_hook_with_mattermosts_defaults(world):
    hook = make_hook(world, ["https://ci.example.com/hook"], display_name="CI")

    assert (hook.creator_id, hook.team_id, hook.channel_id) == (world.alice.id, world.team.id, None)
    assert hook.trigger_words == ["deploy"] and hook.callback_urls == [
        "https://ci.example.com/hook"
    ]
    assert (hook.trigger_when, hook.content_type) == (0, "application/x-www-form-urlencoded")
    assert len(hook.token) == 26 and hook.token != hook.id and hook.display_name == "CI"


def test_a_hook_bound_to_a_public_channel_needs_no_trigger_words(world):
    hook = make_hook(world, ["http://a.example/"], channel_id=world.lobby.id, trigger_words=[])
    assert hook.channel_id == world.lobby.id and hook.trigger_words == []


def test_trigger_words_are_trimmed(world):
    hook = make_hook(world, ["http://a.example/"], trigger_words=[" deploy ", "ship"])
    assert hook.trigger_words == ["deploy", "ship"]


@pytest.mark.parametrize(
    ("who", "channel", "error", "expected_id"),
    [
        ("outsider", None, PermissionDenied, "api.context.permissions.app_error"),
        ("alice", "secret", PermissionDenied, "api.webhook.create_outgoing.not_open.app_error"),
        ("alice", "dm", PermissionDenied, "api.webhook.create_outgoing.not_open.app_error"),
        ("alice", "group", PermissionDenied, "api.webhook.create_outgoing.not_open.app_error"),
        ("carol", "secret", NotFound, "app.channel.get.existing.app_error"),
    ],
)
def test_only_members_create_hooks_and_only_on_public_channels(
    world, who, channel, error, expected_id
):
    kwargs = {"channel_id": getattr(world, channel).id} if channel else {}
    with pytest.raises(error) as excinfo:
        make_hook(world, ["http://a.example/"], actor=getattr(world, who), **kwargs)
    assert error_id(excinfo) == expected_id
    assert not OutgoingWebhook.objects.exists()


def test_a_channel_of_another_team_is_refused_even_to_a_system_admin(world):
    other = world.other_team.channels.get(name="town-square")
    with pytest.raises(PermissionDenied) as excinfo:
        make_hook(world, ["http://a.example/"], actor=world.admin, channel_id=other.id)
    assert error_id(excinfo) == "api.webhook.create_outgoing.permissions.app_error"


BAD_SETTINGS = [
    ({"team_id": None}, "model.outgoing_hook.is_valid.team_id.app_error"),
    ({"channel_id": "nope"}, "model.outgoing_hook.is_valid.channel_id.app_error"),
    ({"trigger_words": []}, "api.webhook.create_outgoing.triggers.app_error"),
    ({"trigger_words": "deploy"}, "model.outgoing_hook.is_valid.words.app_error"),
    ({"trigger_words": ["  "]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
    ({"trigger_words": ["two words"]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
    ({"trigger_words": ["a", "a"]}, "model.outgoing_hook.is_valid.trigger_words.app_error"),
    ({"trigger_words": ["w" * 1025]}, "model.outgoing_hook.is_valid.words.app_error"),
    ({"callback_urls": []}, "model.outgoing_hook.is_valid.callback.app_error"),
    ({"callback_urls": None}, "model.outgoing_hook.is_valid.callback.app_error"),
    ({"callback_urls": ["ftp://a.example/"]}, "model.outgoing_hook.is_valid.url.app_error"),
    ({"callback_urls": ["not a url"]}, "model.outgoing_hook.is_valid.url.app_error"),
    ({"callback_urls": ["http:///path"]}, "model.outgoing_hook.is_valid.url.app_error"),
    ({"callback_urls": ["http://a.example:99999/"]}, "model.outgoing_hook.is_valid.url.app_error"),
    (
        {"callback_urls": [f"http://a.example/{'x' * 1020}"]},
        "model.outgoing_hook.is_valid.callback.app_error",
    ),
    ({"trigger_when": 2}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
    ({"trigger_when": True}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
    ({"trigger_when": "1"}, "model.outgoing_hook.is_valid.trigger_when.app_error"),
    ({"content_type": "text/plain"}, "model.outgoing_hook.is_valid.content_type.app_error"),
    ({"display_name": "x" * 65}, "model.outgoing_hook.is_valid.display_name.app_error"),
    ({"description": "x" * 501}, "model.outgoing_hook.is_valid.description.app_error"),
    ({"username": "x" * 65}, "model.outgoing_hook.is_valid.username.app_error"),
    ({"icon_url": "x" * 1025}, "model.outgoing_hook.is_valid.icon_url.app_error"),
    ({"display_name": 5}, "api.context.invalid_param.app_error"),
]


@pytest.mark.parametrize(("fields", "expected_id"), BAD_SETTINGS)
def test_bad_settings_are_refused_with_mattermosts_error_ids(world, fields, expected_id):
    with pytest.raises(InvalidInput) as excinfo:
        make_hook(world, ["http://a.example/"], **fields)
    assert error_id(excinfo) == expected_id


@pytest.mark.parametrize(
    ("field", "limit"),
    [("display_name", 64), ("description", 500), ("username", 64), ("icon_url", 1024)],
)
def test_text_settings_may_reach_their_limit(world, field, limit):
    hook = make_hook(world, ["http://a.example/"], **{field: "x" * limit})
    assert getattr(hook, field) == "x" * limit


def test_two_hooks_of_one_scope_cannot_share_a_trigger_word(world):
    make_hook(world, ["http://a.example/"], trigger_words=["deploy", "ship"])

    with pytest.raises(InvalidInput) as excinfo:
        make_hook(world, ["http://b.example/"], actor=world.bob, trigger_words=["ship"])
    assert error_id(excinfo) == "api.webhook.create_outgoing.intersect.app_error"
    # Another scope (one channel rather than the whole team) may use the word.
    make_hook(world, ["http://b.example/"], trigger_words=["ship"], channel_id=world.lobby.id)


def test_update_changes_the_fields_given_and_keeps_the_rest(world):
    hook = make_hook(world, ["http://a.example/"], display_name="CI", trigger_when=1)
    token, created = hook.token, hook.create_at

    updated = outgoing_webhook_update(
        actor=world.alice,
        hook=hook,
        data={
            "id": hook.id,
            "team_id": world.team.id,
            "channel_id": world.lobby.id,
            "trigger_words": ["ship"],
            "callback_urls": ["http://b.example/", "http://c.example/"],
            "content_type": OUTGOING_CONTENT_JSON,
            "description": None,  # null keeps the value
        },
    )

    updated.refresh_from_db()
    assert (updated.channel_id, updated.trigger_words, updated.trigger_when) == (
        world.lobby.id,
        ["ship"],
        1,
    )
    assert updated.callback_urls == ["http://b.example/", "http://c.example/"]
    assert (updated.content_type, updated.display_name, updated.token) == (
        OUTGOING_CONTENT_JSON,
        "CI",
        token,
    )
    assert updated.create_at == created and updated.update_at >= created
    # An empty channel_id watches the whole team again.
    assert (
        outgoing_webhook_update(actor=world.alice, hook=updated, data={"channel_id": ""}).channel_id
        is None
    )


@pytest.mark.parametrize(
    ("data", "expected_id"),
    [
        ({"id": "b" * 26}, "api.context.invalid_param.app_error"),
        ({"team_id": "b" * 26}, "api.webhook.team_mismatch.app_error"),
        ({"trigger_words": []}, "api.webhook.create_outgoing.triggers.app_error"),
        ({"callback_urls": []}, "model.outgoing_hook.is_valid.callback.app_error"),
    ],
)
def test_update_refusals_change_nothing(world, data, expected_id):
    hook = make_hook(world, ["http://a.example/"])
    with pytest.raises(InvalidInput) as excinfo:
        outgoing_webhook_update(actor=world.alice, hook=hook, data=data)
    assert error_id(excinfo) == expected_id
    stored = OutgoingWebhook.objects.get(id=hook.id)
    assert (stored.trigger_words, stored.callback_urls) == (["deploy"], ["http://a.example/"])


def test_update_may_not_take_a_word_of_another_hook_in_the_same_scope(world):
    make_hook(world, ["http://a.example/"], trigger_words=["ship"])
    hook = make_hook(world, ["http://a.example/"])
    with pytest.raises(InvalidInput) as excinfo:
        outgoing_webhook_update(actor=world.alice, hook=hook, data={"trigger_words": ["ship"]})
    assert error_id(excinfo) == "api.webhook.create_outgoing.intersect.app_error"
    # Keeping its own words is no overlap with itself.
    outgoing_webhook_update(actor=world.alice, hook=hook, data={"trigger_words": ["deploy"]})


def test_regen_token_replaces_the_token(world):
    hook = make_hook(world, ["http://a.example/"])
    old = hook.token
    assert outgoing_webhook_regen_token(actor=world.alice, hook=hook).token != old
    assert OutgoingWebhook.objects.get(id=hook.id).token == hook.token


@pytest.mark.parametrize(
    ("who", "manages"),
    [("alice", True), ("owner", True), ("admin", True), ("bob", False), ("outsider", False)],
)
def test_the_creator_team_admins_and_system_admins_manage_a_hook(world, who, manages):
    hook = make_hook(world, ["http://a.example/"])
    actor = getattr(world, who)

    if manages:
        assert access_outgoing_webhook(actor=actor, hook_id=hook.id) == hook
        assert [h.id for h in outgoing_webhook_list(actor=actor)] == [hook.id]
        outgoing_webhook_delete(actor=actor, hook=hook)
        assert OutgoingWebhook.objects.get(id=hook.id).delete_at > 0
    else:
        with pytest.raises(NotFound):
            access_outgoing_webhook(actor=actor, hook_id=hook.id)
        assert list(outgoing_webhook_list(actor=actor)) == []
        # The services check too, whatever the interface resolved.
        with pytest.raises(NotFound):
            outgoing_webhook_delete(actor=actor, hook=hook)
        with pytest.raises(NotFound):
            outgoing_webhook_regen_token(actor=actor, hook=hook)
        with pytest.raises(NotFound):
            outgoing_webhook_update(actor=actor, hook=hook, data={"display_name": "x"})


def test_a_deleted_hook_is_gone_for_everyone(world):
    hook = make_hook(world, ["http://a.example/"])
    outgoing_webhook_delete(actor=world.alice, hook=hook)
    with pytest.raises(NotFound):
        access_outgoing_webhook(actor=world.admin, hook_id=hook.id)
    assert list(outgoing_webhook_list(actor=world.admin)) == []


# --- the system console -----------------------------------------------------------------------


def test_the_console_lists_and_shows_hooks_without_their_token(world, client):
    hook = make_hook(world, ["https://ci.example/in"], display_name="Deployer")
    client.force_login(world.admin)

    listing = client.get(reverse("admin:integrations_outgoingwebhook_changelist"))
    page = client.get(reverse("admin:integrations_outgoingwebhook_change", args=[hook.id]))

    assert listing.status_code == 200 and "Deployer" in listing.content.decode()
    assert page.status_code == 200
    body = page.content.decode()
    assert "https://ci.example/in" in body and "deploy" in body
    assert hook.token not in body and hook.token not in listing.content.decode()
    assert 'name="_save"' not in body
