"""OpenAPI components of the accounts API (documentation only; see apps/accounts/wire.py).

Also registers how API requests authenticate (apps/accounts/authentication.py), so the
schema lists the bearer token and the MMAUTHTOKEN cookie as security schemes.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


def _string_map(**kwargs: Any) -> serializers.DictField:
    return serializers.DictField(child=serializers.CharField(allow_blank=True), **kwargs)


# --- authentication -----------------------------------------------------------------------


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A session token (from login) or a personal access token; "
            "`Authorization: Token <token>` is accepted too.",
        }


class CookieTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.CookieTokenAuthentication"
    name = "mmAuthCookie"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "MMAUTHTOKEN",
            "description": "Set at login; unsafe methods must echo the session's CSRF "
            "token (the MMCSRF cookie) in X-CSRF-Token.",
        }


# --- responses ------------------------------------------------------------------------------


class UserSerializer(serializers.Serializer):
    """A user; `email` is blank unless it is the caller or the caller is an admin."""

    id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField(help_text="0 while active.")
    username = serializers.CharField()
    auth_service = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    email_verified = serializers.BooleanField(
        required=False, help_text="Only for the user themselves or an admin."
    )
    nickname = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    position = serializers.CharField(allow_blank=True)
    roles = serializers.CharField(help_text='Space-separated, e.g. "system_user".')
    locale = serializers.CharField()
    timezone = _string_map()
    is_bot = serializers.BooleanField()
    bot_description = serializers.CharField(required=False, help_text="Bots only.")
    props = _string_map()
    notify_props = _string_map(required=False, help_text="Only for the user themselves.")
    last_password_update = serializers.IntegerField(
        required=False, help_text="Only for the user themselves or an admin."
    )
    last_picture_update = serializers.IntegerField()


class UserAutocompleteSerializer(serializers.Serializer):
    users = UserSerializer(many=True)
    out_of_channel = UserSerializer(
        many=True, required=False, help_text="Only with in_channel: who could join it."
    )


class SessionSerializer(serializers.Serializer):
    id = serializers.CharField()
    token = serializers.CharField(allow_blank=True, help_text="Always blank.")
    create_at = serializers.IntegerField()
    expires_at = serializers.IntegerField()
    last_activity_at = serializers.IntegerField()
    user_id = serializers.CharField()
    device_id = serializers.CharField(allow_blank=True)
    roles = serializers.CharField()
    is_oauth = serializers.BooleanField()
    props = _string_map()


class UserAccessTokenSerializer(serializers.Serializer):
    id = serializers.CharField()
    token = serializers.CharField(required=False, help_text="Only in the answer to creation.")
    user_id = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()


class BotSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    username = serializers.CharField()
    display_name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    owner_id = serializers.CharField(allow_blank=True)
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField(help_text="Non-zero while disabled.")


class StatusSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    status = serializers.CharField(help_text="online, away, dnd or offline.")
    manual = serializers.BooleanField()
    last_activity_at = serializers.IntegerField()
    dnd_end_time = serializers.IntegerField(help_text="Seconds; 0 for none.")


class PreferenceSerializer(serializers.Serializer):
    user_id = serializers.CharField()
    category = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(allow_blank=True)


# --- requests -------------------------------------------------------------------------------


class LoginRequestSerializer(serializers.Serializer):
    login_id = serializers.CharField(help_text="Username or e-mail address.")
    password = serializers.CharField()
    device_id = serializers.CharField(required=False)


class UserCreateRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    password = serializers.CharField()
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    nickname = serializers.CharField(required=False)
    locale = serializers.CharField(required=False, help_text='Default "en".')


class UserPatchRequestSerializer(serializers.Serializer):
    """Profile fields to change; absent or null ones stay as they are."""

    username = serializers.CharField(required=False, allow_null=True)
    email = serializers.CharField(required=False, allow_null=True)
    nickname = serializers.CharField(required=False, allow_null=True)
    first_name = serializers.CharField(required=False, allow_null=True)
    last_name = serializers.CharField(required=False, allow_null=True)
    position = serializers.CharField(required=False, allow_null=True)
    locale = serializers.CharField(required=False, allow_null=True)
    timezone = _string_map(required=False, allow_null=True)
    notify_props = _string_map(required=False, allow_null=True)
    props = _string_map(required=False, allow_null=True)


class UserUpdateRequestSerializer(UserPatchRequestSerializer):
    """The full user object a client sends back; only the profile fields are read."""

    id = serializers.CharField(required=False, help_text="If given, the user of the URL.")


class UserActiveRequestSerializer(serializers.Serializer):
    active = serializers.BooleanField()


class PasswordUpdateRequestSerializer(serializers.Serializer):
    current_password = serializers.CharField(
        required=False, help_text="Required when changing your own password."
    )
    new_password = serializers.CharField()


class SessionRevokeRequestSerializer(serializers.Serializer):
    session_id = serializers.CharField()


class TokenCreateRequestSerializer(serializers.Serializer):
    description = serializers.CharField()


class TokenIdRequestSerializer(serializers.Serializer):
    token_id = serializers.CharField()


class StatusUpdateRequestSerializer(serializers.Serializer):
    user_id = serializers.CharField(required=False, help_text="If given, the user of the URL.")
    status = serializers.CharField(help_text="online, away, dnd or offline.")
    dnd_end_time = serializers.IntegerField(required=False, help_text="Seconds, for dnd.")


class BotCreateRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_null=True)


class BotPatchRequestSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_null=True)
    display_name = serializers.CharField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_null=True)


class CustomStatusSerializer(serializers.Serializer):
    emoji = serializers.CharField(allow_blank=True, help_text='An emoji name, "speech_balloon".')
    text = serializers.CharField(allow_blank=True, help_text="At most 100 characters.")
    duration = serializers.CharField(
        required=False, allow_blank=True, help_text='"today", "one_hour", ... or "".'
    )
    expires_at = serializers.CharField(required=False, allow_blank=True)
