"""Request body parsers for the API."""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

from apps.core.jsonbody import JSONInvalid, api_body_max_bytes, parse_json


class SafeJSONParser(JSONParser):
    """DRF's JSON parser on `parse_json`, the one bounded decoder: a body nested too deeply
    (`[[[[...`, which would otherwise raise RecursionError and answer 500) or otherwise not
    JSON is a 400 AppError, one over the body limit a 413."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # any JSON value: the views refuse a body of the wrong shape
        limit = api_body_max_bytes()
        raw = stream.read(limit + 1)
        try:
            return parse_json(raw, max_bytes=limit, encoding=get_encoding(parser_context or {}))
        except JSONInvalid as exc:
            raise ParseError(exc.message) from exc
