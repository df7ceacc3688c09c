"""OpenAPI components of the channels API (documentation only; see apps/channels/wire.py
and the read-state selectors)."""

from typing import Any

from rest_framework import serializers


def _string_map(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField(allow_blank=True), **kwargs)


class ChannelSerializer(serializers.Serializer):
    id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField(help_text="Non-zero once archived.")
    team_id = serializers.CharField(allow_blank=True, help_text="Blank for D and G.")
    type = serializers.CharField(help_text="O public, P private, D direct, G group.")
    display_name = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    header = serializers.CharField(allow_blank=True)
    purpose = serializers.CharField(allow_blank=True)
    last_post_at = serializers.IntegerField()
    last_root_post_at = serializers.IntegerField()
    total_msg_count = serializers.IntegerField()
    total_msg_count_root = serializers.IntegerField()
    extra_update_at = serializers.IntegerField()
    creator_id = serializers.CharField(allow_blank=True)
    scheme_id = serializers.CharField(allow_null=True)
    policy_id = serializers.CharField(allow_null=True)
    props = serializers.DictField(allow_null=True)
    group_constrained = serializers.BooleanField(allow_null=True)
    shared = serializers.BooleanField(allow_null=True)


class ChannelMemberSerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    user_id = serializers.CharField()
    roles = serializers.CharField(help_text='"channel_user" or "channel_user channel_admin".')
    last_viewed_at = serializers.IntegerField()
    msg_count = serializers.IntegerField()
    msg_count_root = serializers.IntegerField()
    mention_count = serializers.IntegerField()
    mention_count_root = serializers.IntegerField()
    urgent_mention_count = serializers.IntegerField()
    notify_props = _string_map()
    last_update_at = serializers.IntegerField()
    scheme_guest = serializers.BooleanField()
    scheme_user = serializers.BooleanField()
    scheme_admin = serializers.BooleanField()
    explicit_roles = serializers.CharField(allow_blank=True)


class ChannelUnreadSerializer(serializers.Serializer):
    team_id = serializers.CharField(allow_blank=True)
    channel_id = serializers.CharField()
    msg_count = serializers.IntegerField()
    msg_count_root = serializers.IntegerField()
    mention_count = serializers.IntegerField()
    mention_count_root = serializers.IntegerField()
    urgent_mention_count = serializers.IntegerField()
    last_viewed_at = serializers.IntegerField()
    notify_props = _string_map()


class ChannelStatsSerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    member_count = serializers.IntegerField()
    guest_count = serializers.IntegerField()
    pinnedpost_count = serializers.IntegerField()
    files_count = serializers.IntegerField()


class ChannelViewResponseSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "OK".')
    last_viewed_at_times = serializers.DictField(
        child=serializers.IntegerField(), help_text="channel id → new last_viewed_at (ms)."
    )


class ChannelCreateRequestSerializer(serializers.Serializer):
    team_id = serializers.CharField()
    name = serializers.CharField()
    display_name = serializers.CharField()
    type = serializers.CharField(help_text="O (public) or P (private).")
    purpose = serializers.CharField(required=False)
    header = serializers.CharField(required=False)


class ChannelUpdateRequestSerializer(serializers.Serializer):
    """The full channel: header and purpose are replaced (absent means blank); display
    name, name and type change only when given."""

    id = serializers.CharField(help_text="The channel of the URL.")
    header = serializers.CharField(required=False, allow_null=True)
    purpose = serializers.CharField(required=False, allow_null=True)
    display_name = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_null=True)
    type = serializers.CharField(required=False, allow_null=True)


class ChannelPatchRequestSerializer(serializers.Serializer):
    """The fields to change; absent or null ones stay as they are (one at least)."""

    display_name = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_null=True)
    header = serializers.CharField(required=False, allow_null=True)
    purpose = serializers.CharField(required=False, allow_null=True)


class ChannelMemberAddRequestSerializer(serializers.Serializer):
    user_id = serializers.CharField()


class ChannelViewRequestSerializer(serializers.Serializer):
    channel_id = serializers.CharField(
        required=False, allow_blank=True, help_text="Blank marks nothing read."
    )
    prev_channel_id = serializers.CharField(required=False, allow_blank=True)


class ChannelNotifyPropsRequestSerializer(serializers.Serializer):
    """The member's notification settings to change; other keys are kept."""

    desktop = serializers.CharField(required=False)
    mark_unread = serializers.CharField(required=False, help_text='"all" or "mention".')
    push = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    ignore_channel_mentions = serializers.CharField(required=False)
    channel_auto_follow_threads = serializers.CharField(required=False)
