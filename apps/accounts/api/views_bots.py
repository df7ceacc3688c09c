"""Bot accounts over Mattermost's API v4 (`/bots`)."""

from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.api.params import page_slice, query_bool
from apps.accounts.permissions import access_bot
from apps.accounts.selectors import bot_list, user_get
from apps.accounts.services import bot_assign, bot_create, bot_disable, bot_enable, bot_patch
from apps.accounts.wire import bot_to_wire
from apps.core.api.base import BaseApi, body_object, paging, text_field


class BotListCreateApi(BaseApi):
    """`GET /bots` (the caller's, or all for admins); `POST /bots` creates one."""

    def get(self, request: Request) -> Response:
        bots = bot_list(
            actor=request.user,
            include_deleted=query_bool(request, "include_deleted"),
            only_orphaned=query_bool(request, "only_orphaned"),
        )
        return Response([bot_to_wire(b) for b in bots[page_slice(*paging(request))]])

    def post(self, request: Request) -> Response:
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

    def get(self, request: Request, bot_user_id: str) -> Response:
        bot = access_bot(
            actor=request.user,
            bot_user_id=bot_user_id,
            include_deleted=query_bool(request, "include_deleted"),
        )
        return Response(bot_to_wire(bot))

    def put(self, request: Request, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        bot = bot_patch(actor=request.user, bot=bot, data=body_object(request))
        return Response(bot_to_wire(bot))


class BotDisableApi(BaseApi):
    """`POST /bots/{bot_user_id}/disable` (PUT accepted too)."""

    def post(self, request: Request, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        return Response(bot_to_wire(bot_disable(actor=request.user, bot=bot)))

    put = post


class BotEnableApi(BaseApi):
    """`POST /bots/{bot_user_id}/enable` (PUT accepted too)."""

    def post(self, request: Request, bot_user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        return Response(bot_to_wire(bot_enable(actor=request.user, bot=bot)))

    put = post


class BotAssignApi(BaseApi):
    """`POST /bots/{bot_user_id}/assign/{user_id}`: hand the bot to another owner."""

    def post(self, request: Request, bot_user_id: str, user_id: str) -> Response:
        bot = access_bot(actor=request.user, bot_user_id=bot_user_id, include_deleted=True)
        owner = user_get(actor=request.user, user_id=user_id)
        return Response(bot_to_wire(bot_assign(actor=request.user, bot=bot, owner=owner)))
