"""Posts, threads, pins, saved posts and reactions over Mattermost's API v4."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.selectors import user_get
from apps.channels.permissions import access_channel
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_list,
    body_object,
    paging,
    query_flag,
    resolve_user_id,
    status_ok,
    text_field,
)
from apps.core.api.schema import (
    INCLUDE_DELETED,
    PAGING,
    STATUS_OK,
    errors,
    flag_param,
    query_param,
    string_array,
)
from apps.core.errors import InvalidInput
from apps.posts.api.schema import (
    DraftSerializer,
    DraftUpsertRequestSerializer,
    EphemeralPostRequestSerializer,
    PostCreateRequestSerializer,
    PostListSerializer,
    PostPatchRequestSerializer,
    PostSerializer,
    PostUpdateRequestSerializer,
    ReactionCreateRequestSerializer,
    ReactionMapSerializer,
    ReactionSerializer,
)
from apps.posts.models import Post
from apps.posts.selectors import (
    draft_list_for_team,
    post_edit_history,
    post_get,
    post_get_thread,
    post_list_by_ids,
    post_list_pinned,
    post_page_flagged,
    post_page_in_channel,
    reaction_list_for_post,
    reaction_map_for_posts,
)
from apps.posts.services import (
    draft_delete,
    draft_upsert,
    post_create,
    post_delete,
    post_edit,
    post_send_ephemeral,
    post_set_pinned,
    reaction_add,
    reaction_remove,
)
from apps.posts.wire import (
    draft_to_wire,
    post_list_to_wire,
    post_to_wire,
    post_version_to_wire,
    posts_to_wire,
    reaction_to_wire,
)


def _since(request: Request) -> int | None:
    """`since` in ms; absent, zero or unparsable means plain paging (as Mattermost)."""
    try:
        since = int(request.query_params.get("since", ""))
    except ValueError:
        return None
    return since if since > 0 else None


def _optional_bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInput(f"{name} must be true or false.")


def _one_post(post: Post) -> dict[str, Any]:
    return posts_to_wire([post])[0]


class PostCreateApi(BaseApi):
    """`POST /posts`: 201 and the post. A resent `pending_post_id` returns the first."""

    @extend_schema(
        operation_id="CreatePost",
        tags=["posts"],
        summary="Create a post (a resent pending_post_id answers the first)",
        request=PostCreateRequestSerializer,
        responses={201: PostSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        channel_id = text_field(body, "channel_id")
        if not channel_id:
            raise InvalidInput("channel_id is required.")
        channel, membership = access_channel(actor=request.user, channel_id=channel_id)
        post = post_create(
            actor=request.user,
            channel=channel,
            membership=membership,
            # The raw JSON value: the service checks it (None is "", anything but a string
            # is a 400).
            message=body.get("message"),
            root_id=text_field(body, "root_id"),
            file_ids=body.get("file_ids"),
            props=body.get("props"),
            post_type=body.get("type"),
            pending_post_id=text_field(body, "pending_post_id"),
        )
        return Response(_one_post(post), status=201)


class PostEphemeralApi(BaseApi):
    """`POST /posts/ephemeral` `{user_id, post: {channel_id, message, ...}}`: 201; a post
    shown to one user over the WebSocket and never stored. System admins only (403)."""

    @extend_schema(
        operation_id="CreatePostEphemeral",
        tags=["posts"],
        summary="Show a post to one user only, never stored (system admins)",
        request=EphemeralPostRequestSerializer,
        responses={201: PostSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        inner = body.get("post") or {}
        if not isinstance(inner, dict):
            raise InvalidInput("post must be an object.")
        post = post_send_ephemeral(
            actor=request.user,
            user_id=text_field(body, "user_id"),
            channel_id=text_field(inner, "channel_id"),
            message=inner.get("message"),  # checked by the service, as in PostCreateApi
            root_id=text_field(inner, "root_id"),
            props=inner.get("props"),
        )
        return Response(post_to_wire(post), status=201)


class PostDetailApi(BaseApi):
    """`GET`, `PUT` (update) and `DELETE /posts/{post_id}`."""

    @extend_schema(
        operation_id="GetPost",
        tags=["posts"],
        responses={200: PostSerializer, **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, post_id: str) -> Response:
        post = post_get(
            actor=request.user,
            post_id=post_id,
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response(_one_post(post))

    @extend_schema(
        operation_id="UpdatePost",
        tags=["posts"],
        request=PostUpdateRequestSerializer,
        responses={200: PostSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, post_id: str) -> Response:
        """Mattermost's update: `message` and `props` left out count as blank."""
        body = body_object(request)
        if text_field(body, "id") != post_id:
            raise InvalidInput(
                "The id in the body must be the post's id.",
                error_id="api.context.invalid_body_param.app_error",
            )
        post = post_edit(
            actor=request.user,
            post_id=post_id,
            message=text_field(body, "message"),
            props=body.get("props") or {},
            file_ids=body.get("file_ids"),
            is_pinned=_optional_bool(body, "is_pinned"),
        )
        return Response(_one_post(post))

    @extend_schema(
        operation_id="DeletePost",
        tags=["posts"],
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, post_id: str) -> Response:
        post_delete(actor=request.user, post_id=post_id)
        return status_ok()


class PostPatchApi(BaseApi):
    """`PUT /posts/{post_id}/patch`: only the fields sent change."""

    @extend_schema(
        operation_id="PatchPost",
        tags=["posts"],
        request=PostPatchRequestSerializer,
        responses={200: PostSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, post_id: str) -> Response:
        body = body_object(request)
        post = post_edit(
            actor=request.user,
            post_id=post_id,
            message=body.get("message"),
            props=body.get("props"),
            file_ids=body.get("file_ids"),
            is_pinned=_optional_bool(body, "is_pinned"),
        )
        return Response(_one_post(post))


class ChannelPostListApi(BaseApi):
    """`GET /channels/{channel_id}/posts`: a PostList, newest first, with cursors.

    `since` > `after` > `before` > plain paging, as in Mattermost.
    """

    @extend_schema(
        operation_id="GetPostsForChannel",
        tags=["posts"],
        summary="A channel's posts, newest first (since > after > before > paging)",
        responses={200: PostListSerializer, **errors(401, 403, 404)},
        parameters=[
            *PAGING,
            query_param("since", "Posts changed after this time (ms), instead of a page.", int),
            query_param("before", "Posts before this post id."),
            query_param("after", "Posts after this post id."),
            INCLUDE_DELETED,
            flag_param("skipFetchThreads", "Leave out the roots of threads replied to."),
        ],
    )
    def get(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        page, per_page = paging(request)
        result = post_page_in_channel(
            actor=request.user,
            channel_id=channel_id,
            page=page,
            per_page=per_page,
            before=request.query_params.get("before", ""),
            after=request.query_params.get("after", ""),
            since=_since(request),
            include_deleted=query_flag(request, "include_deleted"),
            with_thread_roots=not query_flag(request, "skipFetchThreads"),
        )
        return Response(
            post_list_to_wire(
                result.posts,
                extra=result.extra,
                next_post_id=result.next_post_id,
                prev_post_id=result.prev_post_id,
                has_next=result.has_next,
            )
        )


class PostThreadApi(BaseApi):
    """`GET /posts/{post_id}/thread`: the root and every reply, from any of its posts."""

    @extend_schema(
        operation_id="GetPostThread",
        tags=["posts"],
        summary="The root and every reply of a thread",
        responses={200: PostListSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, post_id: str) -> Response:
        return Response(post_list_to_wire(post_get_thread(actor=request.user, post_id=post_id)))


class PostListByIdsApi(BaseApi):
    """`POST /posts/ids`: the posts among the ids that the caller may read."""

    @extend_schema(
        operation_id="GetPostsByIds",
        tags=["posts"],
        summary="The readable posts among the ids",
        request=string_array("Post ids."),
        responses={200: PostSerializer(many=True), **errors(400, 401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        posts = post_list_by_ids(actor=request.user, post_ids=body_list(request))
        return Response(posts_to_wire(posts))


class ChannelPinnedListApi(BaseApi):
    """`GET /channels/{channel_id}/pinned`: the pinned posts as a PostList."""

    @extend_schema(
        operation_id="GetPinnedPosts",
        tags=["posts"],
        responses={200: PostListSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        return Response(
            post_list_to_wire(list(post_list_pinned(actor=request.user, channel_id=channel_id)))
        )


class PostPinApi(BaseApi):
    """`POST /posts/{post_id}/pin` and `/unpin`."""

    pinned = True

    @extend_schema(
        operation_id="PinPost",
        tags=["posts"],
        request=None,
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, post_id: str) -> Response:
        post_set_pinned(actor=request.user, post_id=post_id, pinned=self.pinned)
        return status_ok()


@extend_schema_view(
    post=extend_schema(
        operation_id="UnpinPost",
        tags=["posts"],
        request=None,
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
)
class PostUnpinApi(PostPinApi):
    pinned = False


class FlaggedPostListApi(BaseApi):
    """`GET /users/{user_id}/posts/flagged`: your own saved posts (403 for anyone else's)."""

    @extend_schema(
        operation_id="GetFlaggedPostsForUser",
        tags=["posts"],
        summary="Your own saved (flagged) posts",
        responses={200: PostListSerializer, **errors(401, 403, 404)},
        parameters=[
            *PAGING,
            query_param("channel_id", "Only posts of this channel."),
            query_param("team_id", "Only posts of this team's channels."),
        ],
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        page, per_page = paging(request)
        result = post_page_flagged(
            actor=request.user,
            user_id=resolve_user_id(request, user_id),
            page=page,
            per_page=per_page,
            channel_id=request.query_params.get("channel_id", ""),
            team_id=request.query_params.get("team_id", ""),
        )
        return Response(post_list_to_wire(result.posts, has_next=result.has_next))


class PostEditHistoryApi(BaseApi):
    """`GET /posts/{post_id}/edit_history`: earlier versions, newest first; author only."""

    @extend_schema(
        operation_id="GetEditHistoryForPost",
        tags=["posts"],
        summary="Earlier versions of a post, newest first (author only)",
        responses={200: PostSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, post_id: str) -> Response:
        versions = post_edit_history(actor=request.user, post_id=post_id)
        return Response([post_version_to_wire(version) for version in versions])


# --- reactions -------------------------------------------------------------------------------


class ReactionCreateApi(BaseApi):
    """`POST /reactions` `{user_id, post_id, emoji_name}`: 201; `user_id` must be you."""

    @extend_schema(
        operation_id="SaveReaction",
        tags=["reactions"],
        request=ReactionCreateRequestSerializer,
        responses={201: ReactionSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        reaction = reaction_add(
            actor=request.user,
            user_id=resolve_user_id(request, text_field(body, "user_id")),
            post_id=text_field(body, "post_id"),
            emoji_name=text_field(body, "emoji_name"),
        )
        return Response(reaction_to_wire(reaction), status=201)


class PostReactionListApi(BaseApi):
    """`GET /posts/{post_id}/reactions` (mattermostdriver asks for `//reactions`)."""

    @extend_schema(
        operation_id="GetReactions",
        tags=["reactions"],
        responses={200: ReactionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, post_id: str) -> Response:
        reactions = reaction_list_for_post(actor=request.user, post_id=post_id)
        return Response([reaction_to_wire(r) for r in reactions])


class ReactionDeleteApi(BaseApi):
    """`DELETE /users/{user_id}/posts/{post_id}/reactions/{emoji_name}`."""

    @extend_schema(
        operation_id="DeleteReaction",
        tags=["reactions"],
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def delete(
        self, request: AuthenticatedRequest, user_id: str, post_id: str, emoji_name: str
    ) -> Response:
        user_id = resolve_user_id(request, user_id)
        owner = (
            None if user_id == request.user.id else user_get(actor=request.user, user_id=user_id)
        )
        reaction_remove(actor=request.user, post_id=post_id, emoji_name=emoji_name, user=owner)
        return status_ok()


class ReactionBulkListApi(BaseApi):
    """`POST /posts/ids/reactions`: `{post_id: [Reaction...]}` for the readable posts."""

    @extend_schema(
        operation_id="GetBulkReactions",
        tags=["reactions"],
        request=string_array("Post ids."),
        responses={200: ReactionMapSerializer, **errors(400, 401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        reactions = reaction_map_for_posts(actor=request.user, post_ids=body_list(request))
        return Response(
            {post_id: [reaction_to_wire(r) for r in items] for post_id, items in reactions.items()}
        )


class DraftUpsertApi(BaseApi):
    """`POST /drafts`: save your draft for a channel or thread (201 with it); a draft with
    no text and no files deletes the stored one (200 `{"status": "OK"}`). The server sets
    `create_at` and `update_at`: a client's clock does not order the drafts."""

    @extend_schema(
        operation_id="UpsertDraft",
        tags=["drafts"],
        request=DraftUpsertRequestSerializer,
        responses={201: DraftSerializer, 200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        draft = draft_upsert(
            actor=request.user,
            user_id=resolve_user_id(request, text_field(body, "user_id")),
            channel_id=text_field(body, "channel_id"),
            root_id=body.get("root_id"),
            message=body.get("message"),
            props=body.get("props"),
            file_ids=body.get("file_ids"),
        )
        if draft is None:
            return status_ok()
        return Response(draft_to_wire(draft), status=201)


class TeamDraftListApi(BaseApi):
    """`GET /users/{user_id}/teams/{team_id}/drafts`: your drafts in the team's channels
    and your direct and group messages, newest first (403 for anyone else's)."""

    @extend_schema(
        operation_id="GetDrafts",
        tags=["drafts"],
        responses={200: DraftSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str, team_id: str) -> Response:
        drafts = draft_list_for_team(
            actor=request.user, user_id=resolve_user_id(request, user_id), team_id=team_id
        )
        return Response([draft_to_wire(d) for d in drafts])


class DraftDeleteApi(BaseApi):
    """`DELETE /users/{user_id}/channels/{channel_id}/drafts` (a thread's with `?root_id=`):
    delete your draft there; one that is not there is not an error."""

    @extend_schema(
        operation_id="DeleteDraft",
        tags=["drafts"],
        responses={200: STATUS_OK, **errors(400, 401, 403)},
        parameters=[query_param("root_id", "The thread's root, for a reply draft.")],
    )
    def delete(self, request: AuthenticatedRequest, user_id: str, channel_id: str) -> Response:
        draft_delete(
            actor=request.user,
            user_id=resolve_user_id(request, user_id),
            channel_id=channel_id,
            root_id=request.query_params.get("root_id", ""),
        )
        return status_ok()


class ThreadDraftDeleteApi(BaseApi):
    """`DELETE /users/{user_id}/channels/{channel_id}/drafts/{thread_id}`: delete your
    reply draft in that thread (the path Mattermost's clients use)."""

    @extend_schema(
        operation_id="DeleteThreadDraft",
        tags=["drafts"],
        responses={200: STATUS_OK, **errors(400, 401, 403)},
    )
    def delete(
        self, request: AuthenticatedRequest, user_id: str, channel_id: str, thread_id: str
    ) -> Response:
        draft_delete(
            actor=request.user,
            user_id=resolve_user_id(request, user_id),
            channel_id=channel_id,
            root_id=thread_id,
        )
        return status_ok()
