"""System messages ("@bob joined the channel.") in the reader's language.

The server stores them in English for API clients, as Mattermost does; its web app draws
them from the post type and props instead, and so does ours. Unknown types fall back to
the stored text, rendered like any message.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from apps.posts import models as post_types


def _mention(username: str, viewer_username: str) -> SafeString:
    mine = " mention--me" if username and username == viewer_username else ""
    return format_html(
        '<span class="mention{}" data-mention="{}">@{}</span>', mine, username, username
    )


def system_message_html(
    *, post_type: str, author_username: str, props: dict, viewer_username: str
) -> SafeString | None:
    """The translated sentence for a system post, or None to show its stored text."""
    actor = _mention(author_username, viewer_username)
    props = props if isinstance(props, dict) else {}
    # Each sentence is translated first; format_html then puts the escaped names into it.
    simple = {
        post_types.POST_TYPE_JOIN_TEAM: _("{actor} joined the team."),
        post_types.POST_TYPE_LEAVE_TEAM: _("{actor} left the team."),
        post_types.POST_TYPE_JOIN_CHANNEL: _("{actor} joined the channel."),
        post_types.POST_TYPE_LEAVE_CHANNEL: _("{actor} left the channel."),
        post_types.POST_TYPE_CHANNEL_DELETED: _("{actor} archived the channel."),
        post_types.POST_TYPE_CHANNEL_RESTORED: _("{actor} unarchived the channel."),
    }
    if post_type in simple:
        return format_html(simple[post_type], actor=actor)
    if post_type == post_types.POST_TYPE_ADD_TO_CHANNEL and props.get("addedUsername"):
        added = _mention(str(props["addedUsername"]), viewer_username)
        return format_html(_("{added} added to the channel by {actor}."), added=added, actor=actor)
    if post_type == post_types.POST_TYPE_REMOVE_FROM_CHANNEL and props.get("removedUsername"):
        removed = _mention(str(props["removedUsername"]), viewer_username)
        return format_html(_("{removed} was removed from the channel."), removed=removed)
    changes = {
        post_types.POST_TYPE_HEADER_CHANGE: (
            "header",
            _("{actor} updated the channel header to: {new}"),
            _("{actor} removed the channel header (was: {old})"),
        ),
        post_types.POST_TYPE_PURPOSE_CHANGE: (
            "purpose",
            _("{actor} updated the channel purpose to: {new}"),
            _("{actor} removed the channel purpose (was: {old})"),
        ),
        post_types.POST_TYPE_DISPLAYNAME_CHANGE: (
            "display_name",
            _("{actor} renamed the channel to: {new}"),
            _("{actor} removed the channel name (was: {old})"),
        ),
    }
    if post_type in changes:
        field, updated, removed_text = changes[post_type]
        new, old = props.get(f"new_{field}", ""), props.get(f"old_{field}", "")
        if new:
            return format_html(updated, actor=actor, new=str(new))
        return format_html(removed_text, actor=actor, old=str(old))
    return None
