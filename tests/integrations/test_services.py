"""Incoming webhooks: who creates and manages them, and what a call posts where."""

import pytest

from apps.accounts.services.users import user_deactivate
from apps.channels.models import CHANNEL_DIRECT
from apps.channels.services import channel_archive, channel_member_remove
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import new_id
from apps.integrations.models import IncomingWebhook
from apps.integrations.permissions import access_incoming_webhook
from apps.integrations.selectors import incoming_webhook_list
from apps.integrations.services import (
    incoming_webhook_create,
    incoming_webhook_delete,
    incoming_webhook_execute,
    incoming_webhook_update,
    split_message,
)
from apps.posts.models import Post
from tests.channels.world import World
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


def error_id(excinfo) -> str:
    return excinfo.value.error_id


# --- creating ------------------------------------------------------------------------------


def test_a_member_creates_a_hook_owned_by_themselves_in_the_channels_team(world: World):
    hook = incoming_webhook_create(
        actor=world.bob, channel_id=world.secret.id, display_name="Alerts", channel_locked=True
    )

    assert (hook.user_id, hook.channel_id, hook.team_id) == (
        world.bob.id,
        world.secret.id,
        world.team.id,
    )
    assert hook.channel_locked and hook.display_name == "Alerts"
    assert len(hook.id) == 26 and hook.delete_at == 0


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("dave", PermissionDenied),  # in the team, not in the lobby: cannot post there
        ("owner", PermissionDenied),  # team admin, but not a member of the lobby
        ("outsider", NotFound),  # another team: the channel is hidden
    ],
)
def test_only_someone_who_may_post_in_the_channel_creates_a_hook_there(world, who, error):
    with pytest.raises(error):
        incoming_webhook_create(actor=getattr(world, who), channel_id=world.lobby.id)


def test_a_private_channel_is_hidden_from_non_members(world):
    with pytest.raises(NotFound):
        incoming_webhook_create(actor=world.carol, channel_id=world.secret.id)


def test_hooks_post_in_team_channels_only(world):
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_create(actor=world.alice, channel_id=world.dm.id)
    assert error_id(excinfo) == "model.incoming_hook.team_id.app_error"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("display_name", 64), ("description", 500), ("username", 64), ("icon_url", 1024)],
)
def test_hook_fields_have_mattermosts_length_limits(world, field, limit):
    incoming_webhook_create(actor=world.alice, channel_id=world.lobby.id, **{field: "x" * limit})
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_create(
            actor=world.alice, channel_id=world.lobby.id, **{field: "x" * (limit + 1)}
        )
    assert error_id(excinfo) == f"model.incoming_hook.{field}.app_error"


def test_team_and_system_admins_create_hooks_for_others_who_may_post_there(world):
    by_team_admin = incoming_webhook_create(
        actor=world.owner, channel_id=world.lobby.id, user_id=world.carol.id
    )
    by_system_admin = incoming_webhook_create(
        actor=world.admin, channel_id=world.lobby.id, user_id=world.alice.id
    )
    assert (by_team_admin.user_id, by_system_admin.user_id) == (world.carol.id, world.alice.id)

    with pytest.raises(PermissionDenied):  # dave is not in the lobby
        incoming_webhook_create(actor=world.owner, channel_id=world.lobby.id, user_id=world.dave.id)
    with pytest.raises(PermissionDenied):  # a plain member may not name another owner
        incoming_webhook_create(actor=world.bob, channel_id=world.lobby.id, user_id=world.alice.id)


# --- managing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "manages"),
    [
        ("alice", True),  # the creator
        ("owner", True),  # team admin
        ("admin", True),  # system admin
        ("bob", False),  # a member of the same channel
        ("dave", False),
        ("outsider", False),
    ],
)
def test_the_creator_team_admins_and_system_admins_manage_a_hook(world, hook, who, manages):
    actor = getattr(world, who)
    listed = list(incoming_webhook_list(actor=actor).values_list("id", flat=True))

    if manages:
        assert access_incoming_webhook(actor=actor, hook_id=hook.id).id == hook.id
        assert listed == [hook.id]
        incoming_webhook_update(actor=actor, hook=hook, data={"display_name": who})
    else:
        with pytest.raises(NotFound) as excinfo:
            access_incoming_webhook(actor=actor, hook_id=hook.id)
        assert error_id(excinfo) == "app.webhooks.get_incoming.app_error"
        assert listed == []


def test_the_list_filters_by_team(world, hook):
    other = incoming_webhook_create(
        actor=world.outsider,
        channel_id=world.other_team.channels.get(name="town-square").id,
    )
    everything = incoming_webhook_list(actor=world.admin)
    acme = incoming_webhook_list(actor=world.admin, team_id=world.team.id)

    assert set(everything.values_list("id", flat=True)) == {hook.id, other.id}
    assert list(acme.values_list("id", flat=True)) == [hook.id]
    assert not incoming_webhook_list(actor=world.alice, team_id=world.other_team.id).exists()
    with pytest.raises(NotFound):
        incoming_webhook_list(actor=world.alice, team_id=new_id())


def test_update_changes_fields_and_moves_the_hook_within_its_team(world, hook):
    updated = incoming_webhook_update(
        actor=world.alice,
        hook=hook,
        data={"channel_id": world.secret.id, "channel_locked": True, "username": "deploys"},
    )
    stored = IncomingWebhook.objects.get(id=hook.id)

    assert (stored.channel_id, stored.channel_locked, stored.username) == (
        world.secret.id,
        True,
        "deploys",
    )
    assert stored.display_name == "CI"  # absent keys keep their value
    assert updated.update_at >= updated.create_at


def test_update_refuses_a_channel_the_owner_cannot_post_in_or_of_another_team(world, hook):
    ops = make_channel(world.dave, world.team, "ops")  # public; alice sees it, is not in it
    foreign = make_channel(world.outsider, world.other_team, "foreign")

    with pytest.raises(PermissionDenied):
        incoming_webhook_update(actor=world.alice, hook=hook, data={"channel_id": ops.id})
    with pytest.raises(NotFound):
        incoming_webhook_update(actor=world.alice, hook=hook, data={"channel_id": foreign.id})
    with pytest.raises(InvalidInput) as excinfo:  # a system admin sees it, but it moves teams
        incoming_webhook_update(actor=world.admin, hook=hook, data={"channel_id": foreign.id})
    assert error_id(excinfo) == "api.webhook.team_mismatch.app_error"


def test_a_deleted_hook_is_gone_and_its_url_stops_working(world, hook):
    incoming_webhook_delete(actor=world.alice, hook=hook)

    with pytest.raises(NotFound):
        access_incoming_webhook(actor=world.alice, hook_id=hook.id)
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "still there?"})
    assert error_id(excinfo) == "web.incoming_webhook.invalid.app_error"


# --- executing -------------------------------------------------------------------------------


def test_a_call_posts_in_the_hooks_channel_as_its_owner(world, hook, capture_events):
    with capture_events() as events:
        (post,) = incoming_webhook_execute(hook_id=hook.id, payload={"text": "build #7 passed"})

    assert (post.user_id, post.channel_id, post.message, post.type) == (
        world.alice.id,
        world.lobby.id,
        "build #7 passed",
        "",
    )
    assert post.props == {"from_webhook": "true", "webhook_display_name": "CI"}
    assert [e.data["channel_name"] for e in events.named("posted")] == ["lobby"]


def test_overrides_are_applied_only_when_the_settings_allow_them(world, hook, settings):
    settings.CONFAB_ENABLE_POST_USERNAME_OVERRIDE = True
    settings.CONFAB_ENABLE_POST_ICON_OVERRIDE = True
    (from_hook,) = incoming_webhook_execute(hook_id=hook.id, payload={"text": "a"})
    (from_request,) = incoming_webhook_execute(
        hook_id=hook.id,
        payload={
            "text": "b",
            "username": "deployer",
            "icon_url": "https://x/i.png",
            "icon_emoji": ":ship:",
        },
    )
    bare = incoming_webhook_create(actor=world.alice, channel_id=world.lobby.id)
    (default,) = incoming_webhook_execute(hook_id=bare.id, payload={"text": "c"})

    assert from_hook.props["override_username"] == "ci-bot"
    assert from_hook.props["override_icon_url"] == "https://example.com/ci.png"
    assert "override_icon_emoji" not in from_hook.props
    assert from_request.props["override_username"] == "deployer"
    assert from_request.props["override_icon_url"] == "https://x/i.png"
    assert from_request.props["override_icon_emoji"] == ":ship:"
    assert default.props["override_username"] == "webhook"
    assert "override_icon_url" not in default.props

    settings.CONFAB_ENABLE_POST_USERNAME_OVERRIDE = False
    settings.CONFAB_ENABLE_POST_ICON_OVERRIDE = False
    (plain,) = incoming_webhook_execute(
        hook_id=hook.id, payload={"text": "d", "username": "x", "icon_url": "https://x/i.png"}
    )
    assert not {"override_username", "override_icon_url"} & set(plain.props)


def test_request_props_cannot_claim_integration_keys(world, hook):
    (post,) = incoming_webhook_execute(
        hook_id=hook.id,
        payload={
            "text": "hi",
            "props": {
                "card": "details",
                "override_username": "admin",
                "from_bot": "true",
                "webhook_display_name": "Fake",
            },
        },
    )
    assert post.props == {"card": "details", "from_webhook": "true", "webhook_display_name": "CI"}


@pytest.mark.parametrize("payload", [{}, {"text": ""}, {"text": None, "attachments": []}])
def test_text_is_required_unless_there_are_attachments(hook, payload):
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload=payload)
    assert error_id(excinfo) == "web.incoming_webhook.text.app_error"


@pytest.mark.parametrize(
    "payload",
    [
        {"text": 5},
        {"text": "x", "channel": ["lobby"]},
        {"text": "x", "props": []},
        {"text": "x", "attachments": {"text": "not a list"}},
        {"text": "x", "attachments": ["not an object"]},
    ],
)
def test_badly_typed_payloads_are_refused(hook, payload):
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload=payload)
    assert error_id(excinfo) == "web.incoming_webhook.parse.app_error"


@pytest.mark.parametrize("hook_id", ["", "nope", "a" * 26])
def test_an_unknown_hook_is_refused_with_mattermosts_error(db, hook_id):
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_execute(hook_id=hook_id, payload={"text": "hi"})
    assert error_id(excinfo) == "web.incoming_webhook.invalid.app_error"


def test_attachments_alone_make_a_slack_attachment_post(world, hook):
    attachments = [
        {
            "fallback": "Build failed",
            "color": "danger",
            "pretext": "<https://ci.example.com/7|Build 7> failed <!channel>",
            "fields": [{"title": "Duration", "value": 42, "short": "true"}],
        }
    ]
    (post,) = incoming_webhook_execute(hook_id=hook.id, payload={"attachments": attachments})

    assert (post.message, post.type) == ("", "slack_attachment")
    (attachment,) = post.props["attachments"]
    assert attachment["pretext"] == "[Build 7](https://ci.example.com/7) failed @channel"
    assert attachment["fields"] == [{"title": "Duration", "value": "42", "short": True}]


def test_slack_markup_in_text_becomes_markdown_and_mentions(hook):
    (post,) = incoming_webhook_execute(
        hook_id=hook.id, payload={"text": "see <https://x.org/a|the log> <!here>"}
    )
    assert post.message == "see [the log](https://x.org/a) @here"


def test_a_request_type_follows_the_rules_of_user_posts(hook):
    (post,) = incoming_webhook_execute(
        hook_id=hook.id, payload={"text": "x", "type": "custom_build"}
    )
    assert post.type == "custom_build"
    with pytest.raises(InvalidInput):
        incoming_webhook_execute(
            hook_id=hook.id, payload={"text": "x", "type": "system_join_channel"}
        )


# --- where a call posts ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["town-square", "#town-square", "Town-Square", " #town-square "])
def test_the_channel_field_names_a_channel_of_the_hooks_team(world, hook, name):
    (post,) = incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": name})
    assert post.channel_id == world.town_square.id


def test_at_username_posts_in_the_direct_channel_of_owner_and_user(world, hook):
    (post,) = incoming_webhook_execute(
        hook_id=hook.id, payload={"text": "psst", "channel": "@dave"}
    )

    assert post.channel.type == CHANNEL_DIRECT
    assert set(post.channel.members.values_list("user_id", flat=True)) == {
        world.alice.id,
        world.dave.id,
    }
    with pytest.raises(InvalidInput) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": "@nobody"})
    assert error_id(excinfo) == "web.incoming_webhook.user.app_error"


def test_an_unknown_channel_name_is_not_found(hook):
    with pytest.raises(NotFound) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": "nowhere"})
    assert error_id(excinfo) == "web.incoming_webhook.channel.app_error"


def test_a_private_channel_the_owner_cannot_read_answers_like_a_missing_one(world):
    carols = incoming_webhook_create(actor=world.carol, channel_id=world.lobby.id)
    with pytest.raises(NotFound) as excinfo:
        incoming_webhook_execute(hook_id=carols.id, payload={"text": "x", "channel": "secret"})
    assert error_id(excinfo) == "web.incoming_webhook.channel.app_error"
    assert not Post.objects.filter(channel=world.secret, user=world.carol).exists()


def test_a_channel_in_another_team_is_not_found(world, hook):
    with pytest.raises(NotFound):
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": "globex"})
    make_channel(world.outsider, world.other_team, "elsewhere")
    with pytest.raises(NotFound):
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": "elsewhere"})


def test_a_locked_hook_posts_only_in_its_own_channel(world):
    locked = incoming_webhook_create(
        actor=world.alice, channel_id=world.lobby.id, channel_locked=True
    )

    (post,) = incoming_webhook_execute(hook_id=locked.id, payload={"text": "x", "channel": "lobby"})
    assert post.channel_id == world.lobby.id
    for name in ("town-square", "#secret", "@bob"):
        with pytest.raises(PermissionDenied) as excinfo:
            incoming_webhook_execute(hook_id=locked.id, payload={"text": "x", "channel": name})
        assert error_id(excinfo) == "web.incoming_webhook.channel_locked.app_error"
    assert not Post.objects.filter(channel=world.dm, message="x").exists()


def test_an_owner_removed_from_the_private_hook_channel_cannot_post_there(world):
    bobs = incoming_webhook_create(actor=world.bob, channel_id=world.secret.id)
    channel_member_remove(actor=world.alice, channel_id=world.secret.id, user_id=world.bob.id)

    with pytest.raises(PermissionDenied) as excinfo:
        incoming_webhook_execute(hook_id=bobs.id, payload={"text": "x"})
    assert error_id(excinfo) == "web.incoming_webhook.permissions.app_error"


def test_a_public_channel_the_owner_left_is_refused(world, hook):
    channel_member_remove(actor=world.alice, channel_id=world.lobby.id, user_id=world.alice.id)
    with pytest.raises(PermissionDenied):
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x"})


def test_an_archived_channel_is_refused(world, hook):
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x"})
    with pytest.raises(PermissionDenied):  # named, archived channels are found, then refused
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x", "channel": "lobby"})


def test_a_deactivated_owner_stops_the_hook(world, hook):
    user_deactivate(actor=world.admin, user=world.alice)
    with pytest.raises(PermissionDenied) as excinfo:
        incoming_webhook_execute(hook_id=hook.id, payload={"text": "x"})
    assert error_id(excinfo) == "web.incoming_webhook.user.app_error"


# --- long messages ---------------------------------------------------------------------------


def test_split_message_cuts_at_the_limit():
    assert split_message("", limit=3) == [""]
    assert split_message("abcdefg", limit=3) == ["abc", "def", "g"]
    assert split_message("abc", limit=3) == ["abc"]


def test_long_text_becomes_several_posts_with_attachments_on_the_last(world, hook, settings):
    settings.CONFAB_POST_MAX_RUNES = 10
    posts = incoming_webhook_execute(
        hook_id=hook.id,
        payload={"text": "0123456789abcdefghijKLMNO", "attachments": [{"text": "details"}]},
    )

    assert [p.message for p in posts] == ["0123456789", "abcdefghij", "KLMNO"]
    assert [p.type for p in posts] == ["", "", "slack_attachment"]
    assert ["attachments" in p.props for p in posts] == [False, False, True]
    assert all(p.props["from_webhook"] == "true" for p in posts)
    assert [p.create_at for p in posts] == sorted(p.create_at for p in posts)
