"""Outgoing webhooks: managing them, and calling their callback URLs when a post fires them.

A hook watches the public channels of its team, or one of them. A new post fires it when
the post's first word matches one of its trigger words (exactly, or as a prefix), or, for
a hook bound to a channel without trigger words, always. Each callback URL receives the
post (Mattermost's OutgoingWebhookPayload) through the SSRF-safe client; a JSON answer
with text or attachments is posted back in the channel as the hook's creator, marked
`from_webhook` so that it never fires a hook in turn.
"""

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import CHANNEL_OPEN, Channel
from apps.channels.permissions import access_channel
from apps.core.errors import ConfabError, InvalidInput, PermissionDenied
from apps.core.ids import is_valid_id, new_id
from apps.core.timeutils import now_ms
from apps.integrations import outbound
from apps.integrations.errors import OutboundFailed, OutboundRefused
from apps.integrations.models import (
    HOOK_DESCRIPTION_MAX,
    HOOK_DISPLAY_NAME_MAX,
    HOOK_ICON_URL_MAX,
    HOOK_USERNAME_MAX,
    OUTGOING_CONTENT_FORM,
    OUTGOING_CONTENT_JSON,
    TRIGGER_WHEN_EXACT,
    TRIGGER_WHEN_PREFIX,
    OutgoingWebhook,
)
from apps.integrations.permissions import (
    can_create_outgoing_webhook,
    can_manage_outgoing_webhook,
    outgoing_hook_not_found,
    speaks_for_team,
)
from apps.integrations.services import hook_text, webhook_post_props, webhook_posts_create
from apps.integrations.slack import slack_attachments
from apps.posts.models import SYSTEM_TYPE_PREFIX, Post
from apps.teams.models import Team
from apps.teams.permissions import access_team

logger = logging.getLogger(__name__)

CONTENT_TYPES = (OUTGOING_CONTENT_JSON, OUTGOING_CONTENT_FORM)
TRIGGER_WHEN_VALUES = (TRIGGER_WHEN_EXACT, TRIGGER_WHEN_PREFIX)
TRIGGER_WORDS_MAX_CHARS = 1024  # all words, comma-joined (Mattermost's limit)
CALLBACK_URLS_MAX_CHARS = 1024  # all URLs, space-joined in brackets (Mattermost's limit)
RESPONSE_TYPE_COMMENT = "comment"
# Each callback gets this long in all (read at call time, so it can be tuned).
CALLBACK_TIMEOUT = outbound.TOTAL_TIMEOUT

_MODEL_ERROR = "model.outgoing_hook.is_valid"

# (field, maximum length) of the editable text settings of a hook.
_TEXT_FIELDS = (
    ("display_name", HOOK_DISPLAY_NAME_MAX),
    ("description", HOOK_DESCRIPTION_MAX),
    ("username", HOOK_USERNAME_MAX),
    ("icon_url", HOOK_ICON_URL_MAX),
)


# --- checking settings ---------------------------------------------------------------------------


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, error_id=f"{_MODEL_ERROR}.{field}.app_error")


def _hook_team(*, actor: User, team_id: object) -> Team:
    """The team a new hook watches: one the actor is a member of (or any, for system admins)."""
    if not isinstance(team_id, str) or not is_valid_id(team_id):
        raise _invalid("team_id must be a team id.", "team_id")
    team, membership = access_team(actor=actor, team_id=team_id)
    if not can_create_outgoing_webhook(actor, membership):
        raise PermissionDenied(
            "Only members of the team create its outgoing webhooks.",
            error_id="api.context.permissions.app_error",
        )
    return team


def _watched_channel(*, actor: User, team_id: str, channel_id: object) -> Channel | None:
    """The one channel a hook watches, or None for every public channel of its team.

    Only public channels: a hook sends every matching post to a URL outside, which must
    never carry a private conversation out.
    """
    if channel_id in (None, ""):
        return None
    if not isinstance(channel_id, str) or not is_valid_id(channel_id):
        raise _invalid("channel_id must be a channel id.", "channel_id")
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    if channel.type != CHANNEL_OPEN:
        raise PermissionDenied(
            "Outgoing webhooks watch public channels only.",
            error_id="api.webhook.create_outgoing.not_open.app_error",
        )
    if channel.team_id != team_id:
        raise PermissionDenied(
            "The channel must be in the webhook's team.",
            error_id="api.webhook.create_outgoing.permissions.app_error",
        )
    return channel


def _trigger_words(raw: object) -> list[str]:
    """Trigger words: single words (the first word of a post is matched), each once."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise _invalid("trigger_words must be a list of words.", "words")
    words: list[str] = []
    for raw_word in raw:
        word = raw_word.strip()
        if not word:
            raise _invalid("A trigger word cannot be empty.", "trigger_words")
        if any(c.isspace() for c in word):
            raise _invalid(
                f"The trigger word '{word}' has a space in it; a trigger is one word.",
                "trigger_words",
            )
        if word in words:
            raise _invalid(f"The trigger word '{word}' is listed twice.", "trigger_words")
        words.append(word)
    if len(",".join(words)) > TRIGGER_WORDS_MAX_CHARS:
        raise _invalid(
            f"The trigger words can be at most {TRIGGER_WORDS_MAX_CHARS} characters in all.",
            "words",
        )
    return words


def _is_http_url(url: str) -> bool:
    if not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a bad port raises ValueError
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _callback_urls(raw: object) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(u, str) for u in raw):
        raise _invalid("callback_urls must list at least one URL.", "callback")
    for url in raw:
        if not _is_http_url(url):
            raise _invalid(f"'{url[:100]}' is not a valid http or https URL.", "url")
    if len(" ".join(raw)) + 2 > CALLBACK_URLS_MAX_CHARS:
        raise _invalid(
            f"The callback URLs can be at most {CALLBACK_URLS_MAX_CHARS} characters in all.",
            "callback",
        )
    return list(raw)


def _trigger_when(raw: object) -> int:
    if raw is None:
        return TRIGGER_WHEN_EXACT
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in TRIGGER_WHEN_VALUES:
        raise _invalid(
            "trigger_when is 0 (the first word is a trigger word) or 1 (it starts with one).",
            "trigger_when",
        )
    return raw


def _content_type(raw: object) -> str:
    if raw in (None, ""):
        return OUTGOING_CONTENT_FORM
    if raw not in CONTENT_TYPES:
        raise _invalid(f"content_type is {' or '.join(CONTENT_TYPES)}.", "content_type")
    return str(raw)


def _check_watches_something(channel: Channel | None, words: list[str]) -> None:
    if channel is None and not words:
        raise InvalidInput(
            "Give trigger words, a channel, or both.",
            error_id="api.webhook.create_outgoing.triggers.app_error",
        )


def _check_no_overlap(
    *, team_id: str, channel: Channel | None, words: list[str], exclude_id: str = ""
) -> None:
    """Two hooks of the same scope (one channel, or the whole team) never share a trigger
    word (Mattermost's rule): which of them answered would otherwise be a guess."""
    if not words:
        return
    others = OutgoingWebhook.objects.filter(team_id=team_id, channel=channel, delete_at=0)
    if exclude_id:
        others = others.exclude(id=exclude_id)
    taken = {w for hook_words in others.values_list("trigger_words", flat=True) for w in hook_words}
    shared = sorted(taken & set(words))
    if shared:
        scope = "this channel" if channel is not None else "the team"
        raise InvalidInput(
            f"Another outgoing webhook of {scope} already uses: {', '.join(shared)}.",
            error_id="api.webhook.create_outgoing.intersect.app_error",
        )


def _text_settings(given: dict[str, object]) -> dict[str, str]:
    return {
        name: hook_text(given[name], name=name, limit=limit, error_prefix=_MODEL_ERROR)
        for name, limit in _TEXT_FIELDS
        if name in given
    }


def _check_manages(actor: User, hook: OutgoingWebhook) -> None:
    if not can_manage_outgoing_webhook(actor, hook):
        raise outgoing_hook_not_found()


# --- managing hooks ------------------------------------------------------------------------------


@transaction.atomic
def outgoing_webhook_create(
    *,
    actor: User,
    team_id: object,
    channel_id: object = None,
    trigger_words: object = None,
    trigger_when: object = None,
    callback_urls: object = None,
    content_type: object = None,
    display_name: object = "",
    description: object = "",
    username: object = "",
    icon_url: object = "",
) -> OutgoingWebhook:
    """Create an outgoing webhook of a team, owned by the actor, with a new token.

    It watches one public channel of the team (`channel_id`) or all of them, and needs
    trigger words unless it has a channel.

    Raises:
        NotFound: the team or the channel is hidden from the actor.
        PermissionDenied: the actor is not in the team; the channel is not a public
            channel of the team.
        InvalidInput: bad fields (ids, trigger words, URLs, lengths, trigger_when,
            content_type); neither trigger words nor a channel; a trigger word another
            hook of the same channel (or of the whole team) already uses.
    """
    check_active(actor)
    team = _hook_team(actor=actor, team_id=team_id)
    channel = _watched_channel(actor=actor, team_id=team.id, channel_id=channel_id)
    words = _trigger_words(trigger_words)
    _check_watches_something(channel, words)
    fields = {
        "trigger_when": _trigger_when(trigger_when),
        "callback_urls": _callback_urls(callback_urls),
        "content_type": _content_type(content_type),
        **_text_settings(
            {
                "display_name": display_name,
                "description": description,
                "username": username,
                "icon_url": icon_url,
            }
        ),
    }
    _check_no_overlap(team_id=team.id, channel=channel, words=words)
    return OutgoingWebhook.objects.create(
        creator=actor, team=team, channel=channel, token=new_id(), trigger_words=words, **fields
    )


@transaction.atomic
def outgoing_webhook_update(
    *, actor: User, hook: OutgoingWebhook, data: dict[str, Any]
) -> OutgoingWebhook:
    """Change a hook's settings from Mattermost's PUT body.

    A key that is absent or `null` keeps its value; `channel_id: ""` makes the hook watch
    the whole team again. The team, the creator and the token never change here.

    Raises:
        InvalidInput: bad fields, an `id` or `team_id` other than the hook's, neither
            trigger words nor a channel left, a trigger word taken by another hook.
        NotFound: the actor does not manage the hook; the new channel is hidden.
        PermissionDenied: the new channel is not a public channel of the hook's team.
    """
    check_active(actor)
    _check_manages(actor, hook)
    given = {k: v for k, v in data.items() if v is not None}
    if given.get("id") not in (None, "", hook.id):
        raise InvalidInput(
            "The hook id in the body differs from the one in the URL.",
            error_id="api.context.invalid_param.app_error",
        )
    if given.get("team_id") not in (None, "", hook.team_id):
        raise InvalidInput(
            "An outgoing webhook stays in its team.",
            error_id="api.webhook.team_mismatch.app_error",
        )
    changes: dict[str, Any] = {}
    channel = hook.channel
    if "channel_id" in given and (given["channel_id"] or None) != hook.channel_id:
        channel = _watched_channel(
            actor=actor, team_id=hook.team_id, channel_id=given["channel_id"]
        )
        changes["channel"] = channel
    words = list(hook.trigger_words)
    if "trigger_words" in given:
        words = changes["trigger_words"] = _trigger_words(given["trigger_words"])
    if "trigger_when" in given:
        changes["trigger_when"] = _trigger_when(given["trigger_when"])
    if "callback_urls" in given:
        changes["callback_urls"] = _callback_urls(given["callback_urls"])
    if "content_type" in given:
        changes["content_type"] = _content_type(given["content_type"])
    changes.update(_text_settings(given))
    _check_watches_something(channel, words)
    if "channel" in changes or "trigger_words" in changes:
        _check_no_overlap(team_id=hook.team_id, channel=channel, words=words, exclude_id=hook.id)
    for name, value in changes.items():
        setattr(hook, name, value)
    hook.update_at = now_ms()
    hook.save(update_fields=[*changes, "update_at"])
    return hook


@transaction.atomic
def outgoing_webhook_regen_token(*, actor: User, hook: OutgoingWebhook) -> OutgoingWebhook:
    """Give the hook a new token; calls from now on carry it, and the old one is void.

    Raises NotFound when the actor does not manage the hook.
    """
    check_active(actor)
    _check_manages(actor, hook)
    hook.token = new_id()
    hook.update_at = now_ms()
    hook.save(update_fields=["token", "update_at"])
    return hook


@transaction.atomic
def outgoing_webhook_delete(*, actor: User, hook: OutgoingWebhook) -> None:
    """Delete a hook: no post fires it from now on. Raises NotFound unless the actor
    manages it."""
    check_active(actor)
    _check_manages(actor, hook)
    now = now_ms()
    hook.delete_at = now
    hook.update_at = now
    hook.save(update_fields=["delete_at", "update_at"])


# --- firing hooks --------------------------------------------------------------------------------


def post_may_fire_outgoing_webhooks(post: Post) -> bool:
    """Whether a post is of the kind that fires hooks at all: live, in a team's public
    channel, written by someone (not a system message), not made by a webhook (so an
    answer never fires a hook again). Precondition: `post.channel` is loaded."""
    channel = post.channel
    return (
        post.delete_at == 0
        and channel.type == CHANNEL_OPEN
        and channel.team_id is not None
        and not post.type.startswith(SYSTEM_TYPE_PREFIX)
        and (post.props or {}).get("from_webhook") != "true"
    )


def outgoing_webhook_trigger_word(
    hook: OutgoingWebhook, *, channel_id: str, first_word: str
) -> str | None:
    """The trigger word a post fires the hook with ("" for a channel hook without words),
    or None when it does not fire it. Matching is case-sensitive, as in Mattermost."""
    if hook.channel_id is not None and hook.channel_id != channel_id:
        return None
    if hook.channel_id is not None and not hook.trigger_words:
        return ""
    if not first_word:
        return None
    trigger_words: list[str] = hook.trigger_words  # a JSON list of strings, see _trigger_words
    for word in trigger_words:
        if hook.trigger_when == TRIGGER_WHEN_PREFIX:
            if first_word.startswith(word):
                return word
        elif first_word == word:
            return word
    return None


def _payload(*, hook: OutgoingWebhook, post: Post, team: Team, trigger_word: str) -> dict[str, Any]:
    """Mattermost's OutgoingWebhookPayload, `timestamp` in milliseconds."""
    channel = post.channel
    return {
        "token": hook.token,
        "team_id": hook.team_id,
        "team_domain": team.name,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "timestamp": post.create_at,
        "user_id": post.user_id,
        "user_name": post.user.username,
        "post_id": post.id,
        "text": post.message,
        "trigger_word": trigger_word,
        "file_ids": ",".join(post.file_ids or []),
    }


def _form_values(payload: dict[str, Any]) -> dict[str, str]:
    """The payload as form fields: every value a string, `timestamp` in seconds."""
    return {**payload, "timestamp": str(payload["timestamp"] // 1000)}


def _where(url: str) -> str:
    """The host of a callback URL for the logs: paths and queries may hold secrets."""
    try:
        return urlsplit(url).netloc or "?"
    except ValueError:
        return "?"


def _call(
    *, hook: OutgoingWebhook, url: str, payload: dict[str, Any], timeout: float
) -> dict[str, Any] | None:
    """POST the payload to one callback URL; its JSON answer, or None (failures logged)."""
    try:
        if hook.content_type == OUTGOING_CONTENT_JSON:
            response = outbound.post_json(url, payload, timeout=min(timeout, CALLBACK_TIMEOUT))
        else:
            response = outbound.post_form(
                url,
                _form_values(payload),
                headers={"Accept": "application/json"},
                timeout=min(timeout, CALLBACK_TIMEOUT),
            )
    except (OutboundRefused, OutboundFailed) as error:
        logger.warning(
            "Outgoing webhook %s: calling %s failed: %s %s",
            hook.id,
            _where(url),
            error.message,
            error.detail,
        )
        return None
    if not response.ok:
        logger.warning(
            "Outgoing webhook %s: %s answered HTTP %s", hook.id, _where(url), response.status
        )
        return None
    if not response.body.strip():
        logger.info("Outgoing webhook %s: %s answered with no body", hook.id, _where(url))
        return None
    try:
        answer = response.json()
    except OutboundFailed:
        answer = None
    if not isinstance(answer, dict):
        logger.warning(
            "Outgoing webhook %s: %s answered something other than a JSON object",
            hook.id,
            _where(url),
        )
        return None
    return answer


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _post_answer(*, hook: OutgoingWebhook, post: Post, answer: dict[str, Any]) -> None:
    """Post a callback's OutgoingWebhookResponse in the post's channel as the hook's
    creator (in the post's thread for `response_type: "comment"`); nothing for an answer
    without text or attachments. Refusals are logged, never raised."""
    text = _text(answer.get("text"))
    try:
        attachments = slack_attachments(answer.get("attachments"))
    except InvalidInput as error:
        logger.warning("Outgoing webhook %s: bad attachments in an answer: %s", hook.id, error)
        return
    if not text and not attachments:
        return
    props = answer.get("props")
    root_id = ""
    if answer.get("response_type") == RESPONSE_TYPE_COMMENT:
        root_id = post.root_id or post.id
    integration_props = webhook_post_props(
        display_name=hook.display_name,
        username=_text(answer.get("username")) or hook.username,
        icon_url=_text(answer.get("icon_url")) or hook.icon_url,
        attachments=attachments,
    )
    try:
        with transaction.atomic():
            webhook_posts_create(
                owner=hook.creator,
                channel=post.channel,
                text=text,
                user_props=props if isinstance(props, dict) else {},
                post_type=_text(answer.get("type")),
                integration_props=integration_props,
                root_id=root_id,
            )
    except ConfabError as error:
        logger.warning("Outgoing webhook %s: its answer was not posted: %s", hook.id, error)


def outgoing_webhooks_fire(*, post_id: str) -> int:
    """Call every live outgoing webhook the post fires, and post what they answer.

    Each callback URL of each matching hook is called in turn; a URL that is refused,
    fails, times out or answers badly is logged and the next one is called. Nothing
    here raises for a callback's sake, and the post itself is never touched. Hooks whose
    creator was deactivated or left the team are skipped.

    Not atomic on purpose: no transaction stays open while a callback is called; each
    answer is posted in its own.

    Returns:
        How many hooks fired.
    """
    post = (
        Post.objects.select_related("channel__team", "user").filter(id=post_id).first()
        if is_valid_id(post_id)
        else None
    )
    if post is None or not post_may_fire_outgoing_webhooks(post):
        return 0
    team = post.channel.team
    if team is None:  # post_may_fire_outgoing_webhooks has ruled this out; mypy cannot see it
        return 0
    hooks = (
        OutgoingWebhook.objects.select_related("creator")
        .filter(team_id=team.id, delete_at=0)
        .filter(Q(channel__isnull=True) | Q(channel_id=post.channel_id))
        .order_by("create_at", "id")
    )
    words = post.message.split()
    first_word = words[0] if words else ""
    fired = 0
    # One budget for the whole post: slow callbacks cannot hold a worker for long.
    deadline = time.monotonic() + settings.CONFAB_OUTGOING_WEBHOOKS_SECONDS_PER_POST
    for hook in hooks:
        trigger_word = outgoing_webhook_trigger_word(
            hook, channel_id=post.channel_id, first_word=first_word
        )
        if trigger_word is None or not speaks_for_team(hook.creator, hook.team_id):
            continue
        fired += 1
        payload = _payload(hook=hook, post=post, team=team, trigger_word=trigger_word)
        for url in hook.callback_urls:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                logger.warning(
                    "Outgoing webhooks of post %s ran out of time; %s (%s) was not called.",
                    post.id,
                    hook.id,
                    url,
                )
                continue
            answer = _call(hook=hook, url=url, payload=payload, timeout=remaining)
            if answer is not None:
                _post_answer(hook=hook, post=post, answer=answer)
    return fired
