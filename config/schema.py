"""OpenAPI post-processing: document the error responses every operation can give.

DRF views answer 400/401/403/404/409/429 through one exception handler with one body
shape; declaring them once here keeps the schema truthful (clients and schemathesis's
status_code_conformance rely on it) without repeating them on every view.
"""

ERROR_SCHEMA = {
    "type": "object",
    "description": "A machine-readable `code` and a human `detail`. When input was refused "
    "field by field, `fields` maps each field's path to its messages: dotted through nested "
    "objects and list positions (`price.amount`, `languages.0`, `items.2.start`); errors "
    "about the input as a whole are under `non_field_errors`. Some errors add other "
    "documented keys.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "detail": {"type": "string", "example": "Invalid input."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"email": ["Enter a valid email address."]},
        },
    },
    "required": ["code", "detail"],
    "additionalProperties": True,
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "No or bad credentials.",
    "403": "Authenticated but not allowed.",
    "404": "Not found, or not yours to see.",
    "409": "Conflicts with the current state.",
    "429": "Throttled; see Retry-After.",
    "503": "A dependency is unavailable; retry later.",
}


def _error_response(status: str) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = ["400", "401", "403", "429", "503"]
            parameters = {p.get("name") for p in operation.get("parameters", [])}
            if "{" in path or "page" in parameters:  # a page past the end is a 404
                statuses.append("404")
            if method != "get":
                statuses.append("409")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, _error_response(status))
    return result
