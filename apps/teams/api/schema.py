"""OpenAPI components of the teams API (documentation only; see apps/teams/wire.py)."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction
from rest_framework import serializers


class TeamSerializer(serializers.Serializer):
    """A team; `email` and `invite_id` are blank unless the caller may manage it."""

    id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    display_name = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    type = serializers.CharField(help_text="O (open) or I (invite only).")
    company_name = serializers.CharField(allow_blank=True)
    allowed_domains = serializers.CharField(allow_blank=True)
    invite_id = serializers.CharField(allow_blank=True)
    allow_open_invite = serializers.BooleanField()
    scheme_id = serializers.CharField(allow_null=True)
    group_constrained = serializers.BooleanField(allow_null=True)
    policy_id = serializers.CharField(allow_null=True)
    cloud_limits_archived = serializers.BooleanField()


class TeamListWithCountSerializer(serializers.Serializer):
    """`GET /teams?include_total_count=true`."""

    teams = TeamSerializer(many=True)
    total_count = serializers.IntegerField()


class TeamListResponseSerializer(serializers.Serializer):
    """`GET /teams`: a list of teams, or `{teams, total_count}` with include_total_count."""


class TeamListResponseScheme(OpenApiSerializerExtension):
    target_class = TeamListResponseSerializer

    def map_serializer(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        team = auto_schema.resolve_serializer(TeamSerializer, direction).ref
        with_count = auto_schema.resolve_serializer(TeamListWithCountSerializer, direction).ref
        return {"oneOf": [{"type": "array", "items": team}, with_count]}


class TeamMemberSerializer(serializers.Serializer):
    team_id = serializers.CharField()
    user_id = serializers.CharField()
    roles = serializers.CharField(help_text='"team_user" or "team_user team_admin".')
    delete_at = serializers.IntegerField()
    scheme_guest = serializers.BooleanField()
    scheme_user = serializers.BooleanField()
    scheme_admin = serializers.BooleanField()
    explicit_roles = serializers.CharField(allow_blank=True)


class TeamCreateRequestSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="URL slug.")
    display_name = serializers.CharField()
    type = serializers.CharField(help_text="O (open) or I (invite only).")
    description = serializers.CharField(required=False)
    allowed_domains = serializers.CharField(required=False)


class TeamPatchRequestSerializer(serializers.Serializer):
    """The fields to change; absent or null ones stay as they are."""

    display_name = serializers.CharField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_null=True)
    company_name = serializers.CharField(required=False, allow_null=True)
    allowed_domains = serializers.CharField(required=False, allow_null=True)
    allow_open_invite = serializers.BooleanField(required=False, allow_null=True)
    type = serializers.CharField(required=False, allow_null=True)


class TeamMemberAddRequestSerializer(serializers.Serializer):
    team_id = serializers.CharField(help_text="The team of the URL.")
    user_id = serializers.CharField()
