"""THROTTLE_RATES parsing, free of DRF so that settings can validate it at start-up."""

from django.core.exceptions import ImproperlyConfigured


def parse_throttle_rates(value: str) -> dict[str, str]:
    rates = {}
    for item in value.split(","):
        if not item.strip():
            continue
        scope, _, rate = item.partition("=")
        if not rate:
            raise ImproperlyConfigured(
                f"THROTTLE_RATES entry {item!r} must look like scope=N/period"
            )
        rates[scope.strip()] = rate.strip()
    return rates
