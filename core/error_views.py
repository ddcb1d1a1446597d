"""Django's error views (config.urls handler400/403/404/500, CSRF_FAILURE_VIEW) answering
the API's JSON error envelope (core.errors), so that errors raised outside DRF views, in
middleware or while Django reads the request, look like every other error."""

from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure

from core.errors import RequestTooLarge, error_body, error_envelope


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_envelope(code, detail), status=status)


def bad_request(request, exception=None):
    """handler400: Django refused the request (SuspiciousOperation and its kinds)."""
    if isinstance(exception, RequestDataTooBig):
        too_large = RequestTooLarge()
        return JsonResponse(error_body(too_large), status=too_large.status_code)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return _error(400, "too_many_fields", "Too many fields or files in the request.")
    if isinstance(exception, DisallowedHost):
        # The host sent is not repeated: it is whatever the client made up.
        return _error(400, "invalid_host", "The Host header names no site served here.")
    return _error(400, "bad_request", "The request could not be understood.")


def permission_denied(request, exception=None):
    """handler403."""
    return _error(403, "permission_denied", "You are not allowed to do this.")


def page_not_found(request, exception=None):
    """handler404: no URL matched, or a non-DRF view raised Http404."""
    return _error(404, "not_found", "Not found.")


def server_error(request):
    """handler500: the error is logged (django.request) with the request id."""
    return _error(500, "server_error", "Something went wrong on our side; try again later.")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON under /api/; the admin's forms keep Django's HTML page."""
    if request.path.startswith("/api/"):
        return _error(403, "csrf_failed", "The CSRF check failed; reload and try again.")
    return django_csrf_failure(request, reason=reason)
