import logging
import re
import time
import uuid

from django.http import JsonResponse

from core.errors import database_outage, error_body, error_headers

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
