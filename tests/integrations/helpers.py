"""Shared integration test helpers: a loopback slash-command integration, an outgoing hook maker."""

import json
from urllib.parse import parse_qs, urlsplit

from apps.integrations.models import OutgoingWebhook
from apps.integrations.services_outgoing import outgoing_webhook_create
from tests.channels.world import World
from tests.loopback import reply

# The keys of a slash command on the wire (Mattermost's model.Command).
COMMAND_KEYS = {
    "id",
    "token",
    "create_at",
    "update_at",
    "delete_at",
    "creator_id",
    "team_id",
    "trigger",
    "method",
    "username",
    "icon_url",
    "auto_complete",
    "auto_complete_desc",
    "auto_complete_hint",
    "display_name",
    "description",
    "url",
    "plugin_id",
}


class Integration:
    """The far end of a custom command: a loopback server that records each call and
    answers with what the test set (`answer_json`, `answer_text`, `answer`)."""

    def __init__(self, server_factory) -> None:
        self.status, self.body, self.content_type = 200, b"", "text/plain"
        self.server = server_factory(self._behaviour)

    def _behaviour(self, handler) -> None:
        reply(handler, self.status, self.body, {"Content-Type": self.content_type})

    def answer(self, status: int, body: bytes, content_type: str) -> None:
        self.status, self.body, self.content_type = status, body, content_type

    def answer_json(self, response: dict, status: int = 200) -> None:
        self.answer(status, json.dumps(response).encode(), "application/json")

    def answer_text(self, text: str) -> None:
        self.answer(200, text.encode(), "text/plain; charset=utf-8")

    @property
    def url(self) -> str:
        return f"{self.server.url}/slash"

    @property
    def calls(self) -> list[dict]:
        return self.server.requests

    def fields(self, call: dict | None = None) -> dict[str, str]:
        """The fields of a call: the form body of a POST, the query string of a GET."""
        call = call or self.calls[-1]
        raw = call["body"].decode() if call["method"] == "POST" else urlsplit(call["path"]).query
        parsed = parse_qs(raw, keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}


def make_hook(world: World, urls: list[str], **kwargs) -> OutgoingWebhook:
    """An outgoing webhook of the team on the word "deploy", made by alice unless `actor`
    is given; `kwargs` override any other field."""
    fields = {"team_id": world.team.id, "trigger_words": ["deploy"], "callback_urls": urls}
    fields.update(kwargs)
    actor = fields.pop("actor", world.alice)
    return outgoing_webhook_create(actor=actor, **fields)
