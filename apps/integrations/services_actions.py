"""Interactive message actions: a click on a button or menu calls the integration behind it.

`POST /api/v4/posts/{post_id}/actions/{action_id}` lands here. The integration (its URL
and context, stored with the post and never shown to clients) receives a
PostActionIntegrationRequest; its answer may change the post (`update`) or show the
person who clicked a message of their own (`ephemeral_text`).
"""

import logging
from typing import Any

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import new_id
from apps.integrations import outbound
from apps.integrations.slack import slack_text
from apps.posts.actions import find_action
from apps.posts.models import Post
from apps.posts.permissions import access_post
from apps.posts.services import post_edit_by_integration, post_send_ephemeral_by_integration

logger = logging.getLogger(__name__)

ACTION_TYPE_BUTTON = "button"
SELECTED_OPTION_MAX = 1024


def _action_not_found() -> NotFound:
    return NotFound("Action not found.", error_id="api.post.do_action.action_id.app_error")


def _integration_failed(detail: str) -> InvalidInput:
    return InvalidInput(
        "The integration behind this action did not answer.",
        error_id="api.post.do_action.action_integration.app_error",
        detail=detail,
    )


def _request_body(
    *, actor: User, post: Post, action: dict[str, Any], selected_option: str
) -> dict[str, Any]:
    """Mattermost's PostActionIntegrationRequest for one click."""
    channel = post.channel
    team = channel.team
    integration = action["integration"]
    context = dict(integration.get("context") or {})
    if selected_option:
        context["selected_option"] = selected_option
    return {
        "user_id": actor.id,
        "user_name": actor.username,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "team_id": team.id if team else "",
        "team_domain": team.name if team else "",
        "post_id": post.id,
        # Integrations that open dialogs answer with it; mmpy_bot keys its events on it.
        "trigger_id": new_id(),
        "type": action.get("type") or ACTION_TYPE_BUTTON,
        "data_source": action.get("data_source") or "",
        "context": context,
    }


def _answer(response: outbound.OutboundResponse) -> dict[str, Any]:
    """The integration's PostActionIntegrationResponse; an empty or non-JSON body means
    "nothing to change", as it does for Mattermost."""
    if not response.body.strip():
        return {}
    try:
        answer = response.json()
    except outbound.OutboundFailed:
        return {}
    return answer if isinstance(answer, dict) else {}


def post_action_do(
    *, actor: User, post_id: str, action_id: str, selected_option: object = ""
) -> dict[str, Any]:
    """Run the action `action_id` of a post the actor can read; return the API answer.

    The call to the integration happens outside any transaction: nothing is locked
    while it answers (up to the outbound timeout). Its `update` then edits the post
    (`post_edited` goes out) and its `ephemeral_text` goes to the actor alone.

    Raises:
        NotFound: the post is missing or hidden, or has no such action.
        PermissionDenied: the post's channel is archived (nothing is called).
        InvalidInput: a bad `selected_option`; the action has no integration; the
            integration answered with an error status.
        OutboundRefused: the integration URL is a forbidden destination (SECURITY 13).
        OutboundFailed: the integration could not be reached or timed out.
    """
    check_active(actor)
    if selected_option is None:
        selected_option = ""
    if not isinstance(selected_option, str) or len(selected_option) > SELECTED_OPTION_MAX:
        raise InvalidInput(
            f"selected_option must be text of at most {SELECTED_OPTION_MAX} characters."
        )
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    post = Post.objects.select_related("channel__team", "user").get(id=post.id)
    action = find_action(post.props, action_id) if action_id else None
    if action is None:
        raise _action_not_found()
    if post.channel.is_archived:
        raise PermissionDenied(
            "The channel is archived; its messages no longer take actions.",
            error_id="api.post.do_action.archived.app_error",
        )
    if not isinstance(action.get("integration"), dict):
        raise InvalidInput(
            "This action has no integration to call.",
            error_id="api.post.do_action.action_integration.app_error",
        )
    body = _request_body(actor=actor, post=post, action=action, selected_option=selected_option)
    response = outbound.post_json(action["integration"]["url"], body)
    if not response.ok:
        logger.info(
            "action %s of post %s: integration answered %s", action_id, post.id, response.status
        )
        raise _integration_failed(f"status={response.status}")
    answer = _answer(response)
    _apply_answer(actor=actor, post=post, answer=answer)
    goto = answer.get("goto_location")
    return {"status": "OK", "goto_location": goto if isinstance(goto, str) else ""}


def _apply_answer(*, actor: User, post: Post, answer: dict[str, Any]) -> None:
    skip_slack = answer.get("skip_slack_parsing") is True
    update = answer.get("update")
    if isinstance(update, dict):
        message = update.get("message")
        props = update.get("props")
        if isinstance(message, str) and not skip_slack:
            message = slack_text(message)
        post_edit_by_integration(
            post=post,
            message=message if isinstance(message, str) else None,
            props=props if isinstance(props, dict) else None,
        )
    text = answer.get("ephemeral_text")
    if isinstance(text, str) and text.strip():
        post_send_ephemeral_by_integration(
            post=post, target=actor, message=text if skip_slack else slack_text(text)
        )
