"""Domain errors and the one DRF exception handler that maps them to HTTP."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class ApplicationError(Exception):
    """A domain error raised by services and selectors: a stable `code`, a message, a status."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    message = "The request could not be processed."
    # Seconds after which trying again may succeed: sent as the Retry-After header.
    retry_after: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        extra=None,
        retry_after: int | None = None,
    ):
        self.message = message or self.message
        if code:
            self.code = code
        self.extra = extra or {}
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


def _is_lock_timeout(exc: OperationalError) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("timeout" in text or "locked" in text)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "detail": exc.message, **exc.extra}
        response = Response(body, status=exc.status_code)
        if exc.retry_after is not None:
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OperationalError) and _is_lock_timeout(exc):
        response = Response(
            {"code": "lock_timeout", "detail": "The resource is busy; try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = "2"
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        # Field errors keyed by field name, beside the same `code`/`detail` every error has.
        response.data = {"code": "invalid", "detail": "Invalid input.", **errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", None) or exc.default_code
        response.data = {"code": str(code), "detail": str(response.data["detail"])}
    return response
