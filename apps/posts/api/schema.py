"""OpenAPI components of the posts API (documentation only; see apps/posts/wire.py)."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction
from rest_framework import serializers

from apps.files.api.schema import FileInfoSerializer


class PostMetadataSerializer(serializers.Serializer):
    files = FileInfoSerializer(many=True, required=False, help_text="The post's files.")


class PostSerializer(serializers.Serializer):
    id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    edit_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    is_pinned = serializers.BooleanField()
    user_id = serializers.CharField()
    channel_id = serializers.CharField()
    root_id = serializers.CharField(allow_blank=True, help_text="Blank for a thread root.")
    original_id = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    type = serializers.CharField(allow_blank=True, help_text='"" for a normal post.')
    props = serializers.DictField()
    hashtags = serializers.CharField(allow_blank=True)
    file_ids = serializers.ListField(child=serializers.CharField())
    pending_post_id = serializers.CharField(allow_blank=True)
    has_reactions = serializers.BooleanField(required=False, help_text="Only when true.")
    reply_count = serializers.IntegerField()
    last_reply_at = serializers.IntegerField()
    participants = serializers.ListField(allow_null=True, help_text="Always null.")
    metadata = PostMetadataSerializer()


class PostListSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.CharField(), help_text="Post ids, in order.")
    posts = serializers.DictField(child=PostSerializer(), help_text="Post id → post.")
    next_post_id = serializers.CharField(allow_blank=True)
    prev_post_id = serializers.CharField(allow_blank=True)
    has_next = serializers.BooleanField()
    first_inaccessible_post_time = serializers.IntegerField()


class ReactionSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    post_id = serializers.CharField()
    emoji_name = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    remote_id = serializers.CharField(allow_null=True)
    channel_id = serializers.CharField()


class PostCreateRequestSerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    message = serializers.CharField(required=False, allow_blank=True)
    root_id = serializers.CharField(required=False, allow_blank=True)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False)
    props = serializers.DictField(required=False)
    type = serializers.CharField(required=False, allow_blank=True)
    pending_post_id = serializers.CharField(
        required=False, help_text="Client dedupe id: a resend answers the first post."
    )


class EphemeralPostBodySerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    message = serializers.CharField()
    root_id = serializers.CharField(required=False, allow_blank=True)
    props = serializers.DictField(required=False)


class EphemeralPostRequestSerializer(serializers.Serializer):
    user_id = serializers.CharField(help_text="Who sees the post.")
    post = EphemeralPostBodySerializer()


class PostUpdateRequestSerializer(serializers.Serializer):
    """Mattermost's update: `message` and `props` left out count as blank."""

    id = serializers.CharField(help_text="The post of the URL.")
    message = serializers.CharField(required=False, allow_blank=True)
    props = serializers.DictField(required=False, allow_null=True)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    is_pinned = serializers.BooleanField(required=False, allow_null=True)


class PostPatchRequestSerializer(serializers.Serializer):
    """Only the fields sent (and not null) change."""

    message = serializers.CharField(required=False, allow_null=True)
    props = serializers.DictField(required=False, allow_null=True)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False, allow_null=True)
    is_pinned = serializers.BooleanField(required=False, allow_null=True)


class ReactionCreateRequestSerializer(serializers.Serializer):
    user_id = serializers.CharField(help_text="The caller (or `me`).")
    post_id = serializers.CharField()
    emoji_name = serializers.CharField()


class ReactionMapSerializer(serializers.Serializer):
    """`POST /posts/ids/reactions`: post id → its reactions."""


class ReactionMapScheme(OpenApiSerializerExtension):
    target_class = ReactionMapSerializer

    def map_serializer(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        reaction = auto_schema.resolve_serializer(ReactionSerializer, direction).ref
        return {
            "type": "object",
            "description": "Post id → its reactions (readable posts only).",
            "additionalProperties": {"type": "array", "items": reaction},
        }


class DraftSerializer(serializers.Serializer):
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField(help_text="Always 0: a deleted draft is gone.")
    user_id = serializers.CharField()
    channel_id = serializers.CharField()
    root_id = serializers.CharField(allow_blank=True, help_text="Blank for the channel's box.")
    message = serializers.CharField(allow_blank=True)
    props = serializers.DictField()
    file_ids = serializers.ListField(child=serializers.CharField())


class DraftUpsertRequestSerializer(serializers.Serializer):
    user_id = serializers.CharField(help_text="The caller (or `me`).")
    channel_id = serializers.CharField()
    root_id = serializers.CharField(required=False, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True)
    props = serializers.DictField(required=False)
    file_ids = serializers.ListField(child=serializers.CharField(), required=False)
