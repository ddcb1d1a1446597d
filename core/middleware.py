import json
import logging
import re
import time
import uuid
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from rest_framework.response import Response as DRFResponse

from core.errors import database_outage, error_body, error_envelope, error_headers

logger = logging.getLogger("stillpoint.request")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# URL parameters whose values are credentials (the calendar feed's secret): a log line
# shows "***" in their place, so the log never hands out a working URL.
_SECRET_URL_PARAMETERS = frozenset({"token", "secret"})


def loggable_path(request) -> str:
    """The request's path with the values of secret URL parameters masked."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in _SECRET_URL_PARAMETERS and isinstance(value, str) and value:
                path = path.replace(value, "***")
    return path


class RequestIdMiddleware:
    """Tag every request with an id (kept from X-Request-ID when sane) and log one line for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "request_id": request.id,
                "method": request.method,
                # The path only (query strings may carry tokens), its secrets masked.
                "path": loggable_path(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
            },
        )
        return response


class DatabaseOutageMiddleware:
    """Views outside DRF (the admin, plain Django views) answer a database outage as DRF
    views do, with the JSON 503 of core.errors and Retry-After, not a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        outage = database_outage(exception)
        if outage is None:
            return None
        return JsonResponse(
            error_body(outage), status=outage.status_code, headers=error_headers(outage)
        )


# Codes for error responses Django makes itself; anything else is `error`.
_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    500: "server_error",
}


class ErrorEnvelopeMiddleware:
    """Error responses made without the error views of core.error_views answer the JSON
    envelope too: Django's bare 405 (`require_safe`, the admin's logout), DEBUG's
    technical 404/400 pages. The response is rewritten in place, so Allow, CORS and
    other headers stay.

    Kept as they are: JSON bodies, DRF responses (already the envelope, HTML only in
    DEBUG's browsable API), the admin's own HTML pages (its lockout page) and, in DEBUG,
    the 500 traceback page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not self._needs_envelope(request, response):
            return response
        status = response.status_code
        body = error_envelope(_STATUS_CODES.get(status, "error"), f"{HTTPStatus(status).phrase}.")
        response.content = json.dumps(body).encode()
        response["Content-Type"] = "application/json"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _needs_envelope(request, response) -> bool:
        if response.status_code < 400 or response.streaming or isinstance(response, DRFResponse):
            return False
        if response.get("Content-Type", "").startswith("application/json"):
            return False
        if settings.DEBUG and response.status_code >= 500:
            return False
        admin_page = request.path.startswith("/admin/") and bool(response.content)
        return not admin_page
