"""Interactive message actions over Mattermost's API v4: a click on a post's button or menu."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.api.base import AuthenticatedRequest, BaseApi, body_object
from apps.core.api.schema import errors
from apps.integrations.services_actions import post_action_do

TAGS = ["posts"]


class PostActionRequestSerializer(serializers.Serializer):
    selected_option = serializers.CharField(
        required=False, allow_blank=True, help_text="The chosen value of a menu action."
    )
    cookie = serializers.CharField(
        required=False, allow_blank=True, help_text="Accepted and ignored (ephemeral posts)."
    )


class PostActionResponseSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='"OK".')
    goto_location = serializers.CharField(
        allow_blank=True, help_text="Where the integration asks the client to go, if anywhere."
    )


class PostActionApi(BaseApi):
    """`POST /posts/{post_id}/actions/{action_id}`: the server calls the integration behind
    the action for the person who clicked, who must be able to read the post."""

    @extend_schema(
        tags=TAGS,
        operation_id="DoPostAction",
        summary="Run an interactive message action (button or menu)",
        parameters=[
            OpenApiParameter("post_id", str, OpenApiParameter.PATH),
            OpenApiParameter("action_id", str, OpenApiParameter.PATH),
        ],
        request=PostActionRequestSerializer,
        responses={200: PostActionResponseSerializer, **errors(400, 401, 403, 404, 502)},
    )
    def post(self, request: AuthenticatedRequest, post_id: str, action_id: str) -> Response:
        body = body_object(request)
        answer = post_action_do(
            actor=request.user,
            post_id=post_id,
            action_id=action_id,
            selected_option=body.get("selected_option"),
        )
        return Response(answer)
