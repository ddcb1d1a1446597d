"""Domain errors and the one DRF exception handler that maps them to HTTP.

Every error body has one shape (docs/ARCHITECTURE.md, "Errors"):

    {"code": "...", "detail": "...", "fields": {"<path>": ["message", ...]}}

`fields` is there only when input was refused field by field. A path names the field
as the request spelled it, dotted through nested objects and list positions:
`email`, `price.amount`, `languages.0`, `items.2.start`. Errors about the input as a
whole are under `non_field_errors` (`items.2.non_field_errors` inside a list). A few
errors add documented top-level keys beside `code`/`detail` (`minimum`, `missing`,
`refundable_amount`, `status`), never field errors.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("stillpoint.errors")


class ApplicationError(Exception):
    """A domain error raised by services and selectors: a stable `code`, a message, a status."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    message = "The request could not be processed."
    # Seconds after which trying again may succeed, sent as Retry-After; None: no header.
    retry_after: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        extra=None,
        fields: dict[str, list[str]] | None = None,
        retry_after: int | None = None,
    ):
        self.message = message or self.message
        if code:
            self.code = code
        # Top-level keys beside code/detail; field errors go in `fields` ({path: [messages]}).
        self.extra = extra or {}
        self.fields = fields or {}
        if retry_after is not None:
            self.retry_after = retry_after
        super().__init__(self.message)


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


class PermissionDenied(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    message = "You are not allowed to do this."


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state."


class RequestTooLarge(ApplicationError):
    """The request body is over the endpoint's limit (refused before it is read)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "request_too_large"
    message = "The request body is too large."


class InvalidTransition(Conflict):
    """A lifecycle (a booking's, a review's) cannot make this change from its current status."""

    code = "invalid_transition"
    message = "This change is not allowed in the current status."


class ServiceUnavailable(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"
    message = "A service we depend on is unavailable; try again shortly."
    retry_after = 5


class TooManyRequests(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "throttled"
    message = "Too many requests; try again later."


class LockTimeout(ServiceUnavailable):
    code = "lock_timeout"
    message = "The resource is busy; try again shortly."
    retry_after = 2


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message = "The database cannot be reached or is not accepting changes; try again shortly."


# PostgreSQL SQLSTATEs: a row lock not had within lock_timeout; a write in a read-only
# transaction (a standby, or default_transaction_read_only), which psycopg raises as an
# InternalError.
_LOCK_NOT_AVAILABLE = "55P03"
_READ_ONLY_SQL_TRANSACTION = "25006"


def _sqlstate(exc: DatabaseError) -> str | None:
    cause = exc.__cause__  # Django re-raises the driver's error "from" it
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _is_lock_timeout(exc: OperationalError) -> bool:
    # One row stayed locked too long (PostgreSQL). SQLite's "database is locked" is the
    # whole database refusing writes: an outage, not this.
    return _sqlstate(exc) == _LOCK_NOT_AVAILABLE or "lock timeout" in str(exc).lower()


def _is_read_only(exc: DatabaseError) -> bool:
    return (
        _sqlstate(exc) == _READ_ONLY_SQL_TRANSACTION or "read-only transaction" in str(exc).lower()
    )


def database_outage(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 for a database error that a retry may get past, or None for any other error.

    Unreachable, restarting, read-only or locked databases are outages; integrity
    errors (which services turn into domain errors) and programming errors are not.
    """
    if isinstance(exc, OperationalError) and _is_lock_timeout(exc):
        return LockTimeout()
    if isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DatabaseError) and _is_read_only(exc)
    ):
        logger.warning("database unavailable: %r", exc)
        return DatabaseUnavailable()
    return None


def error_body(exc: ApplicationError) -> dict:
    body = {**exc.extra, "code": exc.code, "detail": exc.message}
    if exc.fields:
        body["fields"] = exc.fields
    return body


def error_envelope(code: str, detail: str, fields: dict | None = None) -> dict:
    """The body of an error that is not an ApplicationError (Django's own 404/405/500...)."""
    body = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def flatten_field_errors(errors) -> dict[str, list[str]]:
    """DRF's nested error structure as {dotted path: [messages]} (see the module docstring).

    A ListField's errors come as {0: [...]}, a many=True serializer's as [{}, {...}],
    a nested serializer's as {"start": [...]}: all become paths to lists of strings.
    """
    flat: dict[str, list[str]] = {}
    pending = [("", errors)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, dict):
            children = [(str(key), value) for key, value in item.items()]
        elif isinstance(item, list | tuple):
            messages = [str(value) for value in item if not isinstance(value, dict | list)]
            if messages:
                flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).extend(messages)
            containers = [(i, v) for i, v in enumerate(item) if isinstance(v, dict | list)]
            # A list of only nested errors is positional (one entry per item sent).
            children = [(str(i), value) for i, value in containers]
        else:
            flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(item))
            continue
        for key, value in reversed(children):  # reversed: popped in the order DRF gave
            pending.append((f"{path}.{key}" if path else key, value))
    return flat


def error_headers(exc: ApplicationError) -> dict:
    if exc.retry_after is not None:
        return {"Retry-After": str(exc.retry_after)}
    return {}


def exception_handler(exc, context):
    exc = database_outage(exc) or exc
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = ApplicationError("Too many fields or files in the request.", code="too_many_fields")
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc), status=exc.status_code, headers=error_headers(exc))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_envelope(
            "invalid", "Invalid input.", flatten_field_errors(response.data) or None
        )
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", None) or exc.default_code
        response.data = error_envelope(str(code), str(response.data["detail"]))
    return response
