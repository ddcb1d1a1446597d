"""Request bodies as strict JSON (RFC 8259).

Every request body the code reads as JSON goes through `json_loads_strict` (the API's
parser, core.parsers.StrictJSONParser; the Stripe webhook), so each malformed body gets
the same 400 and code:

- `json_invalid`: not JSON at all (syntax, a BOM, an empty body);
- `json_invalid_encoding`: not UTF-8, or a string escape that is no character (a lone
  surrogate such as "\\ud800", which no database or e-mail could store);
- `json_non_finite_number`: `NaN`, `Infinity`, `-Infinity` or a number too large for a
  float (`1e999`): JavaScript's JSON.parse refuses them, Python would take them;
- `json_too_deep`: arrays/objects nested deeper than JSON_MAX_DEPTH. Python's parser
  recurses, and a few hundred levels would otherwise end in a RecursionError (a 500).
"""

import json
import math

from core.errors import ApplicationError

# Deeper than any request the API documents; shallow enough that nothing that walks the
# parsed value (serializers, validators) comes near the interpreter's recursion limit.
JSON_MAX_DEPTH = 64


class InvalidJSON(ApplicationError):
    code = "json_invalid"
    message = "The request body is not valid JSON."


class InvalidJSONEncoding(InvalidJSON):
    code = "json_invalid_encoding"
    message = "The request body is not valid UTF-8 text."


class NonFiniteNumber(InvalidJSON):
    code = "json_non_finite_number"
    message = "NaN, Infinity and numbers beyond a 64-bit float are not JSON."


class JSONTooDeep(InvalidJSON):
    code = "json_too_deep"
    message = f"The request body nests arrays and objects deeper than {JSON_MAX_DEPTH} levels."


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


def json_loads_strict(body: bytes | str):
    """The value of a JSON request body, or an InvalidJSON subclass (a 400) saying why not."""
    if isinstance(body, bytes | bytearray | memoryview):
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidJSONEncoding() from exc
    else:
        text = body
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NonFinite as exc:
        raise NonFiniteNumber() from exc
    except RecursionError as exc:  # the C scanner stops cleanly at the recursion limit
        raise JSONTooDeep() from exc
    except ValueError as exc:
        raise InvalidJSON(f"The request body is not valid JSON: {exc}.") from exc
    _check_shape(value)
    return value


def _check_shape(value) -> None:
    """Depth and lone surrogates, walked without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > JSON_MAX_DEPTH:
            raise JSONTooDeep()
        for child in children:
            if isinstance(child, str):
                _check_text(child)
            elif isinstance(child, dict | list):
                pending.append((child, depth + 1))
    if isinstance(value, str):
        _check_text(value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidJSONEncoding(
            "The request body has a string escape that is not a character (a lone surrogate)."
        ) from exc
