"""Interactive message actions: buttons and menus in `props.attachments[].actions[]`.

An action carries an `integration` (`url`, `context`) that tells the server whom to call
when someone clicks. Only the server may read it: the URL and context are the
integration's business, so they are kept in the stored props and removed from every
post that leaves the server. Pure functions over props; no I/O.
"""

import copy
import re
from typing import Any
from urllib.parse import urlsplit

from apps.core.errors import InvalidInput
from apps.core.ids import new_id

ACTION_ID_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
ACTION_URL_MAX = 1024
ACTIONS_PER_POST_MAX = 100


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="model.post.is_valid.props.app_error")


def _actions_of(props: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action dict of every attachment, in order (ill-formed entries skipped)."""
    attachments = props.get("attachments")
    if not isinstance(attachments, list):
        return []
    found: list[dict[str, Any]] = []
    for attachment in attachments:
        if isinstance(attachment, dict) and isinstance(attachment.get("actions"), list):
            found.extend(a for a in attachment["actions"] if isinstance(a, dict))
    return found


def has_actions(props: dict[str, Any]) -> bool:
    return bool(_actions_of(props))


def _check_integration(integration: object) -> None:
    if not isinstance(integration, dict):
        raise _invalid("An action's integration must be an object with a url.")
    url = integration.get("url")
    if not isinstance(url, str) or len(url) > ACTION_URL_MAX:
        raise _invalid(f"An action's integration url must be text of at most {ACTION_URL_MAX}.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid("An action's integration url must be an http or https URL.")
    context = integration.get("context")
    if context is not None and not isinstance(context, dict):
        raise _invalid("An action's integration context must be an object.")


def prepare_actions(props: dict[str, Any]) -> dict[str, Any]:
    """Props ready to store: every action has an id unique in the post, and every
    integration is well formed. Returns `props` itself when it has no actions.

    Raises:
        InvalidInput: an ill-formed integration, or too many actions.
    """
    if not has_actions(props):
        return props
    props = copy.deepcopy(props)
    actions = _actions_of(props)
    if len(actions) > ACTIONS_PER_POST_MAX:
        raise _invalid(f"A post can carry at most {ACTIONS_PER_POST_MAX} actions.")
    seen: set[str] = set()
    for action in actions:
        action_id = action.get("id")
        if not isinstance(action_id, str) or not ACTION_ID_RE.match(action_id) or action_id in seen:
            action_id = new_id()
            action["id"] = action_id
        seen.add(action_id)
        if "integration" in action:
            _check_integration(action["integration"])
    return props


def without_integrations(props: dict[str, Any]) -> dict[str, Any]:
    """Props as clients see them: actions without their `integration`."""
    if not any("integration" in action for action in _actions_of(props)):
        return props
    props = copy.deepcopy(props)
    for action in _actions_of(props):
        action.pop("integration", None)
    return props


def with_kept_integrations(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """`new` props from a client, with the integrations `old` had for the same action ids.

    Clients never see integrations, so an edit that sends the attachments back would
    otherwise leave its buttons dead.
    """
    kept = {
        action["id"]: action["integration"]
        for action in _actions_of(old)
        if "integration" in action and isinstance(action.get("id"), str)
    }
    if not kept or not has_actions(new):
        return new
    new = copy.deepcopy(new)
    for action in _actions_of(new):
        if "integration" not in action and action.get("id") in kept:
            action["integration"] = copy.deepcopy(kept[action["id"]])
    return new


def find_action(props: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    for action in _actions_of(props):
        if action.get("id") == action_id:
            return action
    return None
