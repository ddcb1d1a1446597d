"""DRF throttles whose rates come from the THROTTLE_RATES setting at request time.

`THROTTLE_RATES="auth=10/min,booking=30/min,anon=120/min,user=600/min"`; a scope
left out, or an empty setting, is not throttled. Counters live in Django's default
cache, which settings make shared between workers (the database without CACHE_URL in
production). An anonymous client is keyed by core.client_address, the address the
login lockout uses too: a forged X-Forwarded-For does not make a new client.
"""

from django.conf import settings
from rest_framework import throttling

from core.client_address import client_address
from core.throttle_rates import parse_throttle_rates


def configured_rates() -> dict[str, str]:
    return parse_throttle_rates(settings.THROTTLE_RATES or "")


class _SettingsRateMixin:
    def get_rate(self):
        return configured_rates().get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class AnonThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class UserThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    pass


class ScopedThrottle(_SettingsRateMixin, throttling.ScopedRateThrottle):
    """Applies a view's `throttle_scope` (e.g. "auth", "booking") on top of anon/user."""

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return throttling.SimpleRateThrottle.allow_request(self, request, view)
