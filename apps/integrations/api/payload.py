"""Reading the body of `POST /hooks/{id}` in the three forms Mattermost accepts.

JSON (also with no or any other Content-Type), `application/x-www-form-urlencoded`
with the JSON in a `payload` field, or `multipart/form-data` with one field per
request key. The body is read at most `HOOK_BODY_MAX_BYTES` (+1) bytes at a time, so a
huge or endless body costs no more than that.
"""

import io
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.http import parse_header_parameters
from rest_framework.request import Request

from apps.core.errors import InvalidInput
from apps.core.jsonbody import JSONInvalid, JSONTooLarge, parse_json
from apps.integrations.errors import PayloadTooLarge

HOOK_BODY_MAX_BYTES = 1024 * 1024
MULTIPART_FIELDS = ("text", "username", "icon_url", "channel", "type", "icon_emoji")


def _parse_error(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="web.incoming_webhook.parse.app_error")


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"A webhook body can be at most {HOOK_BODY_MAX_BYTES} bytes.")


def _json_object(raw: bytes | str) -> dict[str, Any]:
    try:
        # Raw newlines and tabs inside strings are taken: Mattermost tolerates them by
        # escaping them before a second attempt.
        data = parse_json(raw, max_bytes=HOOK_BODY_MAX_BYTES, allow_control_characters=True)
    except JSONTooLarge as exc:
        raise _too_large() from exc
    except JSONInvalid as exc:
        raise _parse_error(exc.message) from exc
    if not isinstance(data, dict):
        raise _parse_error("The webhook payload must be a JSON object.")
    return data


def read_hook_body(request: HttpRequest | Request) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > HOOK_BODY_MAX_BYTES:
        raise _too_large()
    raw = request.read(HOOK_BODY_MAX_BYTES + 1)
    if len(raw) > HOOK_BODY_MAX_BYTES:
        raise _too_large()
    return raw


def hook_payload(request: HttpRequest | Request) -> dict[str, Any]:
    """The IncomingWebhookRequest in the body, as a dict (fields not yet checked).

    Raises:
        PayloadTooLarge: the body is over the limit.
        InvalidInput: the body cannot be read as any of the accepted forms.
    """
    raw = read_hook_body(request)
    media_type, _params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    media_type = media_type.lower()
    try:
        if media_type == "application/x-www-form-urlencoded":
            form = QueryDict(raw, encoding=request.encoding or "utf-8")
            return _json_object(form.get("payload", ""))
        if media_type == "multipart/form-data":
            meta = {**request.META, "CONTENT_LENGTH": str(len(raw))}
            fields, _files = MultiPartParser(
                meta, io.BytesIO(raw), request.upload_handlers, request.encoding
            ).parse()
            payload = fields.get("payload")
            if payload is not None:
                return _json_object(payload)
            return {name: fields[name] for name in MULTIPART_FIELDS if name in fields}
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise _parse_error("The webhook form could not be read.") from exc
    return _json_object(raw)
