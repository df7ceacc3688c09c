"""The documented API checked against real answers: generate the OpenAPI schema, and call
the API through `Checked`, which validates each answer against the schema of its operation
and status code (objects closed to undocumented keys)."""

import copy
import json
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS


def _generate(path, *extra: str) -> dict[str, Any]:
    GENERATOR_STATS.reset()  # count only this run's warnings
    call_command("spectacular", "--format", "openapi-json", "--file", str(path), *extra)
    return json.loads(path.read_text())


def _json_schema(schema: dict, node: Any) -> Any:
    """An OpenAPI 3.0 schema as strict JSON Schema: `$ref`s inlined, `nullable` as a
    null type, and objects with declared properties closed to undocumented keys."""
    if isinstance(node, list):
        return [_json_schema(schema, n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return _json_schema(schema, schema["components"]["schemas"][name])
    out = {k: _json_schema(schema, v) for k, v in node.items() if k not in ("nullable",)}
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    elif "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


class Checked:
    """Calls the API and validates each answer against the schema of its operation."""

    def __init__(self, schema: dict, api) -> None:
        self.schema, self.api = schema, api

    def __call__(self, method: str, template: str, body=None, *, status=200, **kw) -> Any:
        path = template.format(**{k: v for k, v in kw.items() if f"{{{k}}}" in template})
        params = {k: v for k, v in kw.items() if f"{{{k}}}" not in template}
        data = self.api.call(method, path, body, status=status, **params)
        self.validate(method, template, status, data)
        return data

    def validate(self, method: str, template: str, status: int, data: Any) -> None:
        operation = self.schema["paths"][f"/api/v4/{template}"][method]
        response = operation["responses"].get(str(status))
        assert response, f"{method.upper()} {template} answered an undocumented {status}"
        documented = response["content"]["application/json"]["schema"]
        strict = _json_schema(self.schema, copy.deepcopy(documented))
        try:
            jsonschema.validate(data, strict)
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{method.upper()} {template} {status}: {exc.message} at {exc.path}")
