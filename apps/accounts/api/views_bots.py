"""Bot accounts over Mattermost's API v4 (`/bots`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.accounts.api.params import page_slice
from apps.accounts.api.schema import (
    BotCreateRequestSerializer,
    BotPatchRequestSerializer,
    BotSerializer,
)
from apps.accounts.permissions import access_bot
from apps.accounts.selectors import bot_list, user_get
from apps.accounts.services.bots import bot_assign, bot_create, bot_disable, bot_enable, bot_patch
from apps.accounts.wire import bot_to_wire
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_object,
    paging,
    query_flag,
    text_field,
)
from apps.core.api.schema import INCLUDE_DELETED, PAGING, errors, flag_param


class BotListCreateApi(BaseApi):
    """`GET /bots` (the caller's, or all for admins); `POST /bots` creates one."""

    @extend_schema(
        operation_id="GetBots",
        tags=["bots"],
        summary="The caller's bots (all of them for admins)",
        responses={200: BotSerializer(many=True), **errors(401, 403)},
        parameters=[
            *PAGING,
            INCLUDE_DELETED,
            flag_param("only_orphaned", "Only bots whose owner is deactivated."),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        bots = bot_list(
            actor=request.user,
            include_deleted=query_flag(request, "include_deleted"),
            only_orphaned=query_flag(request, "only_orphaned"),
        )
        return Response([bot_to_wire(b) for b in bots[page_slice(*paging(request))]])

    @extend_schema(
        operation_id="CreateBot",
        tags=["bots"],
        request=BotCreateRequestSerializer,
        responses={201: BotSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        bot = bot_create(
            actor=request.user,
            username=text_field(body, "username"),
            display_name=body.get("display_name"),
            description=body.get("description"),
        )
        return Response(bot_to_wire(bot), status=201)


class BotDetailApi(BaseApi):
    """`GET /bots/{bot_user_id}?include_deleted=`; `PUT` patches it."""

    @extend_schema(
        operation_id="GetBot",
        tags=["bots"],
        responses={200: BotSerializer, **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, bot_user_id: str) -> Response:
        bot = access_bot(
            actor=request.user,
            bot_user_id=bot_user_id,
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response(bot_to_wire(bot))

    @extend_schema(
        operation_id="PatchBot",
        tags=["bots"],
        summary="Change the fields given",
        request=BotPatchRequestSerializer,
        responses={200: BotSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        bot = bot_patch(actor=request.user, bot=bot, data=body_object(request))
        return Response(bot_to_wire(bot))


class BotDisableApi(BaseApi):
    """`POST /bots/{bot_user_id}/disable` (PUT accepted too)."""

    @extend_schema(
        methods=["POST"],
        operation_id="DisableBot",
        tags=["bots"],
        summary="Disable a bot",
        request=None,
        responses={200: BotSerializer, **errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["PUT"],
        operation_id="DisableBotPut",
        tags=["bots"],
        summary="Disable a bot (PUT alias)",
        request=None,
        responses={200: BotSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        return Response(bot_to_wire(bot_disable(actor=request.user, bot=bot)))

    put = post


class BotEnableApi(BaseApi):
    """`POST /bots/{bot_user_id}/enable` (PUT accepted too)."""

    @extend_schema(
        methods=["POST"],
        operation_id="EnableBot",
        tags=["bots"],
        summary="Enable a bot",
        request=None,
        responses={200: BotSerializer, **errors(401, 403, 404)},
    )
    @extend_schema(
        methods=["PUT"],
        operation_id="EnableBotPut",
        tags=["bots"],
        summary="Enable a bot (PUT alias)",
        request=None,
        responses={200: BotSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        return Response(bot_to_wire(bot_enable(actor=request.user, bot=bot)))

    put = post


class BotAssignApi(BaseApi):
    """`POST /bots/{bot_user_id}/assign/{user_id}`: hand the bot to another owner."""

    @extend_schema(
        operation_id="AssignBot",
        tags=["bots"],
        summary="Hand a bot to another owner",
        request=None,
        responses={200: BotSerializer, **errors(401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, bot_user_id: str, user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        owner = user_get(actor=request.user, user_id=user_id)
        return Response(bot_to_wire(bot_assign(actor=request.user, bot=bot, owner=owner)))
