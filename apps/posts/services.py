"""Writes to posts: create (the one path every interface uses), edit, delete, pin,
reactions and saved posts. Unread and mention counters move in the same transaction."""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from apps.accounts.models import User
from apps.accounts.permissions import check_active, is_system_admin
from apps.accounts.selectors import online_user_ids, user_get
from apps.accounts.services.preferences import preference_delete, preference_save
from apps.channels.models import CHANNEL_DIRECT, Channel, ChannelMember
from apps.channels.permissions import (
    access_channel,
    can_post_in_channel,
    can_read_channel,
    channel_membership,
)
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id, new_id
from apps.core.timeutils import now_ms
from apps.files.selectors import file_infos_by_post
from apps.files.services import file_attach_to_post, file_delete_for_post
from apps.posts import events
from apps.posts.actions import prepare_actions, with_kept_integrations
from apps.posts.models import (
    FLAGGED_POST_CATEGORY,
    JOIN_LEAVE_TYPES,
    SYSTEM_TYPE_PREFIX,
    Draft,
    Post,
    PostEdit,
    Reaction,
)
from apps.posts.permissions import access_post, can_delete_post, can_edit_post
from apps.posts.signals import post_created, posts_changed
from apps.posts.text import (
    mentions_any_keyword,
    parse_hashtags,
    parse_mentions,
    username_candidates,
    without_code,
)
from apps.realtime.publish import publish_event

FILE_IDS_MAX = 10
# How long a resent `pending_post_id` finds the first post (Mattermost remembers them for
# 30 s). The bound keeps the lookup on the recent end of the channel's index: unbounded,
# it read every post of the channel (or of the author) on each new post.
PENDING_POST_WINDOW_MS = 5 * 60 * 1000
# `post_create` reads the actor's membership itself unless the caller passes it.
_LOOK_UP: Any = object()
PROPS_MAX_BYTES = 800_000
# A draft is rewritten every few hundred milliseconds while its author types, so its props
# (Mattermost's webapp keeps a few flags there) get a much smaller bound than a post's.
DRAFT_PROPS_MAX_BYTES = 16_000
EMOJI_NAME_RE = re.compile(r"^[a-zA-Z0-9\-+_]{1,64}$")
USER_POST_TYPES = ("", "me")
POST_TYPE_EPHEMERAL = "system_ephemeral"
POST_TYPE_SLACK_ATTACHMENT = "slack_attachment"
INTEGRATION_ONLY_PROPS = frozenset(
    {
        "from_webhook",
        "from_bot",
        "from_plugin",
        "override_username",
        "override_icon_url",
        "override_icon_emoji",
        "webhook_display_name",
    }
)


# --- validation ------------------------------------------------------------------------------


def _clean_message(message: object, *, has_files: bool) -> str:
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise InvalidInput("Message must be text.", error_id="model.post.is_valid.msg.app_error")
    limit = settings.CONFAB_POST_MAX_RUNES
    if len(message) > limit:
        raise InvalidInput(
            f"Message is {len(message)} characters long; the limit is {limit}.",
            error_id="model.post.is_valid.msg.app_error",
        )
    if not message.strip() and not has_files:
        raise InvalidInput(
            "A message needs text or a file.", error_id="api.post.create_post.empty.app_error"
        )
    return message


def _clean_props(props: object) -> dict[str, Any]:
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise InvalidInput(
            "Props must be an object.", error_id="model.post.is_valid.props.app_error"
        )
    if len(json.dumps(props)) > PROPS_MAX_BYTES:
        raise InvalidInput("Props are too large.", error_id="model.post.is_valid.props.app_error")
    # Only integrations (webhooks, bots acting through them) may claim these.
    return {k: v for k, v in props.items() if k not in INTEGRATION_ONLY_PROPS}


def _kept_integration_props(old: dict[str, Any]) -> dict[str, Any]:
    """Props an integration set at creation; an edit by a person does not remove them."""
    return {k: v for k, v in old.items() if k in INTEGRATION_ONLY_PROPS}


def _clean_file_ids(file_ids: object) -> list[str]:
    if file_ids is None:
        return []
    if not isinstance(file_ids, list) or not all(is_valid_id(f) for f in file_ids):
        raise InvalidInput(
            "file_ids must be a list of ids.", error_id="model.post.is_valid.file_ids.app_error"
        )
    unique = list(dict.fromkeys(file_ids))
    if len(unique) > FILE_IDS_MAX:
        raise InvalidInput(f"A post can carry at most {FILE_IDS_MAX} files.")
    return unique


def _clean_user_post_type(post_type: object) -> str:
    if post_type is None:
        return ""
    if not isinstance(post_type, str) or not (
        post_type in USER_POST_TYPES or post_type.startswith("custom_")
    ):
        raise InvalidInput("Invalid post type.", error_id="model.post.is_valid.type.app_error")
    return post_type


def _resolve_root(*, root_id: str, channel: Channel) -> Post | None:
    """The thread root for a reply: a reply to a reply attaches to the root."""
    if not root_id:
        return None
    parent = Post.objects.filter(id=root_id).first() if is_valid_id(root_id) else None
    if parent is not None and parent.root_id:
        parent = Post.objects.filter(id=parent.root_id).first()
    if parent is None or parent.delete_at:
        raise InvalidInput(
            "The message you are replying to does not exist or was deleted.",
            error_id="api.post.create_post.root_id.app_error",
        )
    if parent.channel_id != channel.id:
        raise InvalidInput(
            "A reply must be posted in the channel of its thread.",
            error_id="api.post.create_post.channel_root_id.app_error",
        )
    return parent


# --- mentions ------------------------------------------------------------------------------


def _mentioned_user_ids(*, channel: Channel, message: str, author: User) -> set[str]:
    """Channel members (never the author) that the message mentions.

    Counts `@username`, `@channel`/`@all` (members who do not ignore channel-wide
    mentions), `@here` (those of them online), the user's own mention keys and, in a
    direct channel, always the other participant.
    """
    others = ChannelMember.objects.filter(channel=channel).exclude(user_id=author.id)
    if channel.type == CHANNEL_DIRECT:
        return set(others.values_list("user_id", flat=True))
    mentioned: set[str] = set()
    parsed = parse_mentions(message)
    # One read for both kinds of candidate: members named in the message, and members
    # with mention keys of their own (first name, keywords), checked against the text.
    has_keywords = Q(user__notify_props__first_name="true") | ~Q(
        user__notify_props__mention_keys=""
    )
    wanted = Q(user__username__in=parsed.usernames) | has_keywords if parsed.words else has_keywords
    candidates = others.filter(wanted).values_list(
        "user_id", "user__username", "user__first_name", "user__notify_props"
    )
    by_name: dict[str, str] = {}
    plain_text = without_code(message)
    for user_id, username, first_name, notify_props in candidates:
        by_name[username] = user_id
        keys = str(notify_props.get("mention_keys", "")).split(",")
        if notify_props.get("first_name") == "true" and first_name:
            keys.append(first_name)
        if mentions_any_keyword(plain_text, keys):
            mentioned.add(user_id)
    for word in parsed.words:
        name = next((n for n in username_candidates(word) if n in by_name), None)
        if name is not None:
            mentioned.add(by_name[name])
    if parsed.channel or parsed.here:
        listening = set(
            others.exclude(notify_props__ignore_channel_mentions="on")
            .exclude(user__notify_props__channel="false")
            .values_list("user_id", flat=True)
        )
        mentioned |= listening if parsed.channel else online_user_ids(listening)
    return mentioned


# --- create ----------------------------------------------------------------------------------


def _insert_post(
    *,
    author: User,
    channel: Channel,
    message: str,
    root: Post | None,
    post_type: str,
    props: dict[str, Any],
    file_ids: list[str],
    pending_post_id: str = "",
) -> Post:
    """Store a post and move every counter it affects. Caller holds the transaction."""
    now = now_ms()
    post = Post(
        user=author,
        channel=channel,
        root=root,
        message=message,
        type=post_type,
        props=props,
        hashtags="" if post_type.startswith(SYSTEM_TYPE_PREFIX) else parse_hashtags(message),
        file_ids=file_ids,
        pending_post_id=pending_post_id,
        create_at=now,
        update_at=now,
    )
    post.save(force_insert=True)

    totals = Channel.objects.count_new_post(
        channel.id,
        at=now,
        is_root=root is None,
        counts_as_unread=post_type not in JOIN_LEAVE_TYPES,
    )
    for field_name, value in totals.items():
        setattr(channel, field_name, value)

    # Writing in a channel means having read it: nothing there is unread to the author.
    ChannelMember.objects.filter(channel=channel, user=author).mark_read(
        total_msg_count=channel.total_msg_count,
        total_msg_count_root=channel.total_msg_count_root,
        at=now,
    )
    if root is not None:
        Post.objects.filter(id=root.id).update(
            reply_count=F("reply_count") + 1, last_reply_at=now, update_at=now
        )
    return post


def _count_mentions(*, channel: Channel, post: Post, user_ids: Iterable[str]) -> None:
    user_ids = list(user_ids)
    if not user_ids:
        return
    ChannelMember.objects.filter(channel=channel, user_id__in=user_ids).count_mention(
        is_root=post.root_id is None, at=post.create_at
    )


@transaction.atomic
def post_create(
    *,
    actor: User,
    channel: Channel,
    message: object,
    root_id: str | None = "",
    file_ids: list[str] | None = None,
    props: dict[str, Any] | None = None,
    post_type: str | None = "",
    pending_post_id: str | None = "",
    integration_props: dict[str, Any] | None = None,
    membership: ChannelMember | None = _LOOK_UP,
) -> Post:
    """Post a message as `actor`; every interface that writes a message calls this.

    Raises NotFound when the actor cannot see the channel, PermissionDenied when they
    may read but not post (not a member, archived), InvalidInput for bad content.
    `message` may be the raw JSON value of a request: None is empty text, anything but
    a string is refused (InvalidInput).
    A `pending_post_id` repeated within PENDING_POST_WINDOW_MS returns the post already
    made instead of a duplicate. `membership` is the actor's membership of `channel` as
    the caller has just read it (`access_channel` returns it), saving a query; left out,
    it is read here.
    Each of `file_ids` must be an unattached upload of the actor in this channel; the
    files are attached to the new post in the same transaction.

    `integration_props` is for integrations only (incoming webhooks, slash commands),
    never taken from the request body of a user's post: it is merged after `props` lose
    their integration-only keys, so it may set `from_webhook`, `override_username` and
    the like. With non-empty `attachments` in it, the post needs no text and may have
    the type `slack_attachment`.
    """
    check_active(actor)
    if membership is _LOOK_UP:
        membership = channel_membership(user=actor, channel=channel)
    if not can_read_channel(actor, channel, membership):
        raise NotFound("Channel not found.", error_id="app.channel.get.existing.app_error")
    if not can_post_in_channel(actor, channel, membership):
        reason = "The channel is archived." if channel.is_archived else "Join the channel first."
        raise PermissionDenied(f"You cannot post here. {reason}")
    if _is_dm_with_deactivated_user(channel, actor):
        raise PermissionDenied("You cannot message a deactivated user.")
    clean_file_ids = _clean_file_ids(file_ids)
    from_integration = dict(integration_props or {})
    clean_props = prepare_actions({**_clean_props(props), **from_integration})
    # Message attachments are content: a bot's post of buttons alone needs no text.
    has_attachments = bool(clean_props.get("attachments"))
    clean_message = _clean_message(message, has_files=bool(clean_file_ids) or has_attachments)
    if has_attachments and post_type == POST_TYPE_SLACK_ATTACHMENT:
        clean_type = POST_TYPE_SLACK_ATTACHMENT
    else:
        clean_type = _clean_user_post_type(post_type)
    pending = (pending_post_id or "")[:64]

    # Posts in one channel queue on its row: counters move together, a resend with the
    # same pending id finds the first post, and an archive that just committed is seen.
    if Channel.objects.lock_rows([channel.id]).get(channel.id):
        raise PermissionDenied("You cannot post here. The channel is archived.")
    if pending:
        existing = Post.objects.filter(
            channel=channel,
            user=actor,
            pending_post_id=pending,
            create_at__gte=now_ms() - PENDING_POST_WINDOW_MS,
        ).first()
        if existing is not None:
            return existing
    root = _resolve_root(root_id=root_id or "", channel=channel)
    post = _insert_post(
        author=actor,
        channel=channel,
        message=clean_message,
        root=root,
        post_type=clean_type,
        props=clean_props,
        file_ids=clean_file_ids,
        pending_post_id=pending,
    )
    # Inside the transaction: a file that may not be attached undoes the whole post.
    files = file_attach_to_post(post=post, file_ids=clean_file_ids)
    mentioned = _mentioned_user_ids(channel=channel, message=clean_message, author=actor)
    _count_mentions(channel=channel, post=post, user_ids=mentioned)
    publish_event(
        events.posted(
            post=post, channel=channel, author=actor, mentioned_user_ids=mentioned, files=files
        )
    )
    # The receivers get the post itself too, so none has to read it back.
    transaction.on_commit(
        lambda: post_created.send(sender=Post, post_id=post.id, post=post), robust=True
    )
    return post


def _announce_changed(post_ids: list[str]) -> None:
    """After commit, tell other apps (search) that these posts changed or went away."""
    transaction.on_commit(
        lambda: posts_changed.send(sender=Post, post_ids=list(post_ids)), robust=True
    )


def _is_dm_with_deactivated_user(channel: Channel, actor: User) -> bool:
    if channel.type != CHANNEL_DIRECT:
        return False
    return (
        ChannelMember.objects.filter(channel=channel, user__delete_at__gt=0)
        .exclude(user=actor)
        .exists()
    )


def post_create_system(
    *,
    actor: User,
    channel: Channel,
    post_type: str,
    message: str,
    props: dict[str, Any] | None = None,
) -> Post:
    """Record a system message ("joined the channel", "changed the header"...).

    For other services only: they have already checked that `actor` may do what the
    message reports. No mentions are counted.
    """
    if not post_type.startswith(SYSTEM_TYPE_PREFIX):
        raise ValueError(f"{post_type!r} is not a system post type")
    post = _insert_post(
        author=actor,
        channel=channel,
        message=message,
        root=None,
        post_type=post_type,
        props={"username": actor.username, **(props or {})},
        file_ids=[],
    )
    publish_event(events.posted(post=post, channel=channel, author=actor, mentioned_user_ids=()))
    return post


@transaction.atomic
def post_send_ephemeral(
    *,
    actor: User,
    user_id: str,
    channel_id: str,
    message: object,
    root_id: str | None = "",
    props: dict[str, Any] | None = None,
) -> Post:
    """Show `user_id` a message in a channel without storing it (system admins only).

    The post goes out as an `ephemeral_message` event to that user alone, once the
    transaction commits. The user must be able to read the channel. `message` is checked
    as in `post_create`.

    Raises:
        PermissionDenied: the actor is not a system admin.
        NotFound: no such user, or a channel that user cannot read.
        InvalidInput: bad message or props.
    """
    check_active(actor)
    if not is_system_admin(actor):
        raise PermissionDenied("Only system admins may send ephemeral messages.")
    target = user_get(actor=actor, user_id=user_id)
    if not target.is_active:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    channel, _membership = access_channel(actor=target, channel_id=channel_id)
    return _publish_ephemeral(
        author=actor,
        target=target,
        channel=channel,
        message=message,
        root_id=root_id,
        props=_clean_props(props),
    )


@transaction.atomic
def post_send_ephemeral_to_self(
    *,
    actor: User,
    channel_id: str,
    message: str,
    root_id: str | None = "",
    attachments: list[dict[str, Any]] | None = None,
) -> Post:
    """Show the actor a message of their own that only they see (slash-command answers),
    with the message attachments an integration's answer carried, if any.

    Raises NotFound when the actor cannot read the channel.
    """
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    props = {"attachments": attachments} if attachments else None
    return _publish_ephemeral(
        author=actor, target=actor, channel=channel, message=message, root_id=root_id, props=props
    )


@transaction.atomic
def post_send_ephemeral_by_integration(*, post: Post, target: User, message: str) -> Post:
    """Show `target` alone a message from the author of `post`, where `post` is (an
    action's `ephemeral_text`: the integration speaks for the author).

    Raises NotFound when `target` cannot read the post's channel.
    """
    channel, _membership = access_channel(actor=target, channel_id=post.channel_id)
    return _publish_ephemeral(
        author=post.user,
        target=target,
        channel=channel,
        message=message,
        root_id=post.root_id,
        props=_kept_integration_props(post.props),
    )


def _publish_ephemeral(
    *,
    author: User,
    target: User,
    channel: Channel,
    message: object,
    root_id: str | None,
    props: dict[str, Any] | None,
) -> Post:
    """Send an unstored post to `target` alone; `props` are already cleaned, `message`
    is checked here."""
    now = now_ms()
    post = Post(
        id=new_id(),
        user=author,
        channel=channel,
        root_id=root_id if root_id and is_valid_id(root_id) else None,
        message=_clean_message(message, has_files=bool((props or {}).get("attachments"))),
        type=POST_TYPE_EPHEMERAL,
        props=props or {},
        create_at=now,
        update_at=now,
    )
    publish_event(events.ephemeral_message(post, user_id=target.id))
    return post


# --- edit, delete, pin -----------------------------------------------------------------------


@transaction.atomic
def post_edit(
    *,
    actor: User,
    post_id: str,
    message: str | None = None,
    props: dict[str, Any] | None = None,
    file_ids: list[str] | None = None,
    is_pinned: bool | None = None,
) -> Post:
    """Change a post's text, props, files or pin; earlier text goes to the history.

    `None` leaves a field as it is. Props only integrations may set survive an edit.
    Files new to the post follow the rules of `post_create` (uploads of the post's
    author in its channel); files dropped from `file_ids` stay with the post for its
    history but are no longer shown.
    """
    check_active(actor)
    post, channel, membership = access_post(actor=actor, post_id=post_id)
    if not can_edit_post(actor, post, channel, membership):
        raise PermissionDenied("You can only edit your own messages.")
    post = Post.objects.select_for_update().get(id=post.id)
    new_file_ids = post.file_ids if file_ids is None else _clean_file_ids(file_ids)
    new_props = (
        post.props
        if props is None
        else prepare_actions(
            with_kept_integrations(
                {**_clean_props(props), **_kept_integration_props(post.props)}, post.props
            )
        )
    )
    has_content = bool(new_file_ids) or bool(new_props.get("attachments"))
    new_message = (
        post.message if message is None else _clean_message(message, has_files=has_content)
    )
    return _write_edit(
        post=post,
        channel=channel,
        message=new_message,
        props=new_props,
        file_ids=new_file_ids,
        is_pinned=is_pinned,
    )


@transaction.atomic
def post_edit_by_integration(
    *, post: Post, message: str | None = None, props: dict[str, Any] | None = None
) -> Post:
    """Change a post as the integration behind one of its actions asks (a button's answer).

    The integration speaks for the post's author, who set it up, so there is no actor
    to check: the caller has checked the person who clicked. `None` keeps a field. New
    props replace the old ones and may carry actions with integrations; the
    integration-only props (`from_webhook`, overrides) stay as the post was made.

    Raises:
        InvalidInput: bad message or props, or the post is gone or in an archived channel.
    """
    post = Post.objects.select_for_update().select_related("channel").get(id=post.id)
    channel = post.channel
    if post.delete_at or channel.is_archived:
        raise InvalidInput("The message can no longer be changed.")
    if props is None:
        new_props = post.props
    else:
        if not isinstance(props, dict):
            raise InvalidInput(
                "Props must be an object.", error_id="model.post.is_valid.props.app_error"
            )
        from_client = {k: v for k, v in props.items() if k not in INTEGRATION_ONLY_PROPS}
        new_props = prepare_actions({**from_client, **_kept_integration_props(post.props)})
        if len(json.dumps(new_props)) > PROPS_MAX_BYTES:
            raise InvalidInput(
                "Props are too large.", error_id="model.post.is_valid.props.app_error"
            )
    has_content = bool(post.file_ids) or bool(new_props.get("attachments"))
    new_message = (
        post.message if message is None else _clean_message(message, has_files=has_content)
    )
    return _write_edit(
        post=post, channel=channel, message=new_message, props=new_props, file_ids=post.file_ids
    )


def _write_edit(
    *,
    post: Post,
    channel: Channel,
    message: str,
    props: dict[str, Any],
    file_ids: list[str],
    is_pinned: bool | None = None,
) -> Post:
    """Store an edit of a locked post: history, new content, `post_edited` after commit."""
    content_changed = (message, props, file_ids) != (post.message, post.props, post.file_ids)
    pin_changed = is_pinned is not None and bool(is_pinned) != post.is_pinned
    if not (content_changed or pin_changed):
        return post
    now = now_ms()
    changed_fields = ["update_at"]
    if content_changed:
        file_attach_to_post(post=post, file_ids=[f for f in file_ids if f not in post.file_ids])
        PostEdit.objects.create(
            post=post,
            message=post.message,
            props=post.props,
            file_ids=post.file_ids,
            create_at=post.edit_at or post.create_at,
        )
        post.message = message
        post.props = props
        post.file_ids = file_ids
        post.hashtags = parse_hashtags(message)
        post.edit_at = now
        changed_fields += ["message", "props", "file_ids", "hashtags", "edit_at"]
    if pin_changed:
        post.is_pinned = bool(is_pinned)
        changed_fields.append("is_pinned")
    post.update_at = now
    post.save(update_fields=changed_fields)
    if content_changed:
        _announce_changed([post.id])
    publish_event(
        events.post_edited(post, channel=channel, files=file_infos_by_post([post]).get(post.id, ()))
    )
    return post


@transaction.atomic
def post_delete(*, actor: User, post_id: str) -> Post:
    """Soft-delete a post; deleting a thread's root deletes its replies too."""
    check_active(actor)
    post, channel, membership = access_post(actor=actor, post_id=post_id)
    if not can_delete_post(actor, post, channel, membership):
        raise PermissionDenied("You can only delete your own messages.")
    now = now_ms()
    # The conditional update makes a concurrent second delete a no-op, as a later one is.
    if not Post.objects.filter(id=post.id, delete_at=0).update(delete_at=now, update_at=now):
        raise NotFound("Post not found.", error_id="app.post.get.app_error")
    replies = Post.objects.filter(root_id=post.id, delete_at=0)
    gone_ids = [post.id, *replies.values_list("id", flat=True)]
    replies.update(delete_at=now, update_at=now)
    file_delete_for_post(post=post, at=now)
    if post.root_id:
        Post.objects.filter(id=post.root_id).update(
            reply_count=Greatest(F("reply_count") - 1, 0), update_at=now
        )
    post.delete_at = now
    post.update_at = now
    publish_event(events.post_deleted(post, channel=channel))
    _announce_changed(gone_ids)
    return post


@transaction.atomic
def post_set_pinned(*, actor: User, post_id: str, pinned: bool) -> Post:
    """Pin or unpin a post; any member who may post in the channel may do it."""
    check_active(actor)
    post, channel, membership = access_post(actor=actor, post_id=post_id)
    if not can_post_in_channel(actor, channel, membership):
        raise PermissionDenied("Only members of a live channel can pin messages.")
    if post.is_pinned == pinned:
        return post
    post.is_pinned = pinned
    post.update_at = now_ms()
    post.save(update_fields=["is_pinned", "update_at"])
    publish_event(events.post_edited(post, channel=channel))
    return post


# --- reactions -------------------------------------------------------------------------------


def _clean_emoji_name(emoji_name: object) -> str:
    if not isinstance(emoji_name, str) or not EMOJI_NAME_RE.match(emoji_name):
        raise InvalidInput(
            "Emoji names are 1-64 letters, digits, '-', '+' or '_'.",
            error_id="model.reaction.is_valid.emoji_name.app_error",
        )
    return emoji_name.lower()


@transaction.atomic
def reaction_add(
    *, actor: User, post_id: str, emoji_name: str, user_id: str | None = None
) -> Reaction:
    """React to a post; reacting twice with the same emoji changes nothing.

    `user_id`, when a client names the reacting user, must be the actor.
    """
    check_active(actor)
    if user_id is not None and user_id != actor.id:
        raise PermissionDenied("You can only react as yourself.")
    name = _clean_emoji_name(emoji_name)
    post, channel, membership = access_post(actor=actor, post_id=post_id)
    if not can_post_in_channel(actor, channel, membership):
        raise PermissionDenied("Only members of a live channel can react.")
    reaction, created = Reaction.objects.get_or_create(
        user=actor, post=post, emoji_name=name, defaults={"channel": channel}
    )
    if created:
        Post.objects.filter(id=post.id).update(has_reactions=True, update_at=reaction.create_at)
        publish_event(events.reaction_added(reaction, channel=channel))
    return reaction


@transaction.atomic
def reaction_remove(
    *, actor: User, post_id: str, emoji_name: str, user: User | None = None
) -> None:
    """Remove a reaction; only its owner (or a system admin) may."""
    check_active(actor)
    owner = user or actor
    if owner.id != actor.id and not actor.is_system_admin:
        raise PermissionDenied("You can only remove your own reactions.")
    name = _clean_emoji_name(emoji_name)
    post, channel, membership = access_post(actor=actor, post_id=post_id)
    if channel.is_archived:
        raise PermissionDenied("The channel is archived.")
    if membership is None and not actor.is_system_admin:
        raise PermissionDenied("Only members of the channel can change reactions.")
    reaction = Reaction.objects.filter(user=owner, post=post, emoji_name=name).first()
    if reaction is None:
        return
    reaction.delete()
    now = now_ms()
    Post.objects.filter(id=post.id).update(
        has_reactions=Reaction.objects.filter(post=post).exists(), update_at=now
    )
    reaction.update_at = now
    publish_event(events.reaction_removed(reaction, channel=channel))


# --- saved (flagged) posts ---------------------------------------------------------------


def post_flag(*, actor: User, post_id: str) -> None:
    """Save a post for later, stored as Mattermost does: a `flagged_post` preference."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    preference_save(
        actor=actor,
        user=actor,
        preferences=[{"category": FLAGGED_POST_CATEGORY, "name": post.id, "value": "true"}],
    )


def post_unflag(*, actor: User, post_id: str) -> None:
    check_active(actor)
    if not is_valid_id(post_id):
        raise InvalidInput("Invalid post id.")
    preference_delete(
        actor=actor,
        user=actor,
        preferences=[{"category": FLAGGED_POST_CATEGORY, "name": post_id, "value": "true"}],
    )


# --- drafts ----------------------------------------------------------------------------------


def _check_own_draft(actor: User, user_id: str) -> None:
    if user_id != actor.id:
        raise PermissionDenied(
            "You can only write your own drafts.", error_id="api.context.permissions.app_error"
        )


def _clean_draft_root_id(root_id: object) -> str:
    if root_id is None or root_id == "":
        return ""
    if not isinstance(root_id, str) or not is_valid_id(root_id):
        raise InvalidInput("Invalid root_id.", error_id="model.draft.is_valid.root_id.app_error")
    return root_id


def _clean_draft_props(props: object) -> dict[str, Any]:
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise InvalidInput(
            "Props must be an object.", error_id="model.draft.is_valid.props.app_error"
        )
    if len(json.dumps(props)) > DRAFT_PROPS_MAX_BYTES:
        raise InvalidInput("Props are too large.", error_id="model.draft.is_valid.props.app_error")
    return {k: v for k, v in props.items() if k not in INTEGRATION_ONLY_PROPS}


@transaction.atomic
def draft_upsert(
    *,
    actor: User,
    user_id: str,
    channel_id: str,
    root_id: object = "",
    message: object = "",
    props: object = None,
    file_ids: object = None,
) -> Draft | None:
    """Save the actor's draft for a channel (root_id "") or a thread; a draft with no text
    and no files is deleted instead (None), as the composer empties its box.

    Only the author writes a draft, and only where they may post: a draft for a channel
    they cannot read answers like a missing channel.
    """
    check_active(actor)
    _check_own_draft(actor, user_id)
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if not can_post_in_channel(actor, channel, membership):
        raise PermissionDenied("Only members of a live channel can keep a draft there.")
    root = _resolve_root(root_id=_clean_draft_root_id(root_id), channel=channel)
    clean_file_ids = _clean_file_ids(file_ids)
    text = "" if message is None else message
    if not isinstance(text, str):
        raise InvalidInput("Message must be text.", error_id="model.draft.is_valid.msg.app_error")
    limit = settings.CONFAB_POST_MAX_RUNES
    if len(text) > limit:
        raise InvalidInput(
            f"Message is {len(text)} characters long; the limit is {limit}.",
            error_id="model.draft.is_valid.msg.app_error",
        )
    clean_props = _clean_draft_props(props)
    root_key = root.id if root is not None else ""
    if not text.strip() and not clean_file_ids:
        draft_delete(actor=actor, user_id=user_id, channel_id=channel.id, root_id=root_key)
        return None
    now = now_ms()
    draft, created = Draft.objects.update_or_create(
        user=actor,
        channel=channel,
        root_id=root_key,
        defaults={
            "message": text,
            "props": clean_props,
            "file_ids": clean_file_ids,
            "update_at": now,
        },
        create_defaults={
            "message": text,
            "props": clean_props,
            "file_ids": clean_file_ids,
            "create_at": now,
            "update_at": now,
        },
    )
    publish_event(events.draft_created(draft) if created else events.draft_updated(draft))
    return draft


@transaction.atomic
def draft_delete(*, actor: User, user_id: str, channel_id: str, root_id: object = "") -> None:
    """Delete the actor's draft; deleting one that is not there changes nothing.

    No channel access is checked: the rows are the actor's own, and someone who has left
    a channel must still be able to clear what they were writing there.
    """
    check_active(actor)
    _check_own_draft(actor, user_id)
    root_key = _clean_draft_root_id(root_id)
    if not is_valid_id(channel_id):
        raise InvalidInput(
            "Invalid channel id.", error_id="api.context.invalid_url_param.app_error"
        )
    draft = (
        Draft.objects.select_for_update()
        .filter(user=actor, channel_id=channel_id, root_id=root_key)
        .first()
    )
    if draft is None:
        return
    draft.delete()
    draft.update_at = now_ms()
    publish_event(events.draft_deleted(draft))
