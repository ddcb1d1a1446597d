"""Per-account lockout after repeated failed sign-ins, on django-axes.

What counts as a failure: a wrong password (any `authenticate()` that fails sends
Django's `user_login_failed`, which axes records) and a wrong one-time code
(`count_failure`). Both sign-in doors count together: `/api/v1/auth/token/` and
`/admin/login/`. After AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME the
account is locked until AXES_COOLOFF_TIME has passed since its last counted failure,
or until an admin unlocks it (accounts.admin). A refused attempt during a lockout is not
counted, so Retry-After holds.

Attempts are rows in the database (the axes database handler): every worker and
server sees the same count. The lockout is keyed on the normalised e-mail address
(`lockout_username`, AXES_LOCKOUT_PARAMETERS says whether the client address joins
it); the address is core.client_address's, the one throttles use.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.client_address import client_address


def normalise_username(value) -> str | None:
    """The key an account is counted under: e-mail logins are case-insensitive."""
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


def lockout_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a sign-in attempt names."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return normalise_username(value)


def _credentials(username) -> dict:
    return {"username": username}


def is_locked(request: HttpRequest, *, username: str) -> bool:
    """Whether sign-ins to this account (from this client) are refused right now."""
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def count_failure(request: HttpRequest, *, username: str) -> bool:
    """Count a failed second factor against the account; whether it is locked now."""
    user_login_failed.send(sender=__name__, credentials=_credentials(username), request=request)
    return locked_by_this_request(request)


def locked_by_this_request(request: HttpRequest) -> bool:
    """Whether a failure counted during this request (a wrong password) locked the account."""
    return bool(getattr(request, "axes_locked_out", False))


def retry_after_seconds(request: HttpRequest, *, username: str | None) -> int | None:
    """Seconds until the lockout ends by itself; None when only an admin can end it."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    matching = Q(username=normalise_username(username))
    address = client_address(request)
    if address:
        matching |= Q(ip_address=address)
    last = AccessAttempt.objects.filter(matching).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def unlock(*, usernames) -> int:
    """Forget the failed attempts of these accounts: they may sign in again at once."""
    return sum(
        AxesProxyHandler.reset_attempts(username=username)
        for username in {normalise_username(name) for name in usernames}
        if username
    )


def lockout_response(request, original_response, credentials) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a request answers when it hit a lockout.

    The API has answered already (429 `account_locked` from the sign-in service): that
    response stands. The admin's login page becomes a 403 page that says when to retry.
    """
    username = lockout_username(request, credentials)
    retry_after = retry_after_seconds(request, username=username)
    if original_response is not None and original_response.status_code == 429:
        response = original_response
    else:
        response = render(
            request,
            "accounts/lockout.html",
            {"retry_after_minutes": math.ceil(retry_after / 60) if retry_after else None},
            status=403,
        )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
