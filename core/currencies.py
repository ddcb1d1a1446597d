"""The marketplace's currencies: which ones (MARKETPLACE_CURRENCIES), their exponent, the
smallest amount the payment provider charges in each, and how an amount is written.

Free of DRF and of Django settings, so that settings can validate the list at start-up.
Exponents and display texts come from Babel (CLDR data).
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.core.exceptions import ImproperlyConfigured

DEFAULT_MARKETPLACE_CURRENCIES = "EUR,USD,GBP,CHF,CAD,AUD"
# How `display` is written: English conventions ("€85.00", "CA$85.00", "¥5,000").
DISPLAY_LOCALE = "en"
# Stripe's largest amount (eight digits of minor units); far above any session's price.
MAX_AMOUNT = 99_999_999

# Stripe's smallest charge per settlement currency, in minor units
# (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). A marketplace
# currency must be listed here: a paid price below it could never be charged.
MINIMUM_CHARGE = {
    "AED": 200,
    "AUD": 50,
    "BGN": 100,
    "BRL": 50,
    "CAD": 50,
    "CHF": 50,
    "CZK": 1500,
    "DKK": 250,
    "EUR": 50,
    "GBP": 30,
    "HKD": 400,
    "HUF": 17500,
    "INR": 50,
    "JPY": 50,
    "MXN": 1000,
    "MYR": 200,
    "NOK": 300,
    "NZD": 50,
    "PLN": 200,
    "RON": 200,
    "SEK": 300,
    "SGD": 50,
    "THB": 1000,
    "USD": 50,
}

_CODE = re.compile(r"^[A-Z]{3}$")


def parse_marketplace_currencies(value: str | list | tuple) -> tuple[str, ...]:
    """MARKETPLACE_CURRENCIES as a tuple of codes; ImproperlyConfigured for a code that is
    not upper-case ISO 4217 or not one Stripe settles in."""
    items = value.split(",") if isinstance(value, str) else value
    codes = tuple(dict.fromkeys(code.strip() for code in items if code.strip()))
    if not codes:
        raise ImproperlyConfigured("MARKETPLACE_CURRENCIES names no currency")
    known = list_currencies()
    for code in codes:
        if not _CODE.match(code) or code not in known:
            raise ImproperlyConfigured(
                f"MARKETPLACE_CURRENCIES: {code!r} is not an upper-case ISO 4217 code"
            )
        if code not in MINIMUM_CHARGE:
            raise ImproperlyConfigured(
                f"MARKETPLACE_CURRENCIES: {code} has no known minimum charge at Stripe "
                f"(known: {', '.join(sorted(MINIMUM_CHARGE))})"
            )
    return codes


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point (EUR 2, JPY 0): minor units per major unit = 10**it."""
    return get_currency_precision(currency.upper())


# CLDR's currency spacing, which Babel leaves out: a symbol that ends in a letter ("CHF")
# is set apart from the digits by a no-break space ("CHF 85.00"; "€85.00" stays as it is).
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")


def money_display(amount: int, currency: str) -> str:
    """How people read it: "€85.00" for 8500 EUR, "¥5,000" for 5000 JPY, "CHF 85.00"."""
    currency = currency.upper()
    major = Decimal(amount).scaleb(-currency_exponent(currency))
    text = format_currency(major, currency, locale=DISPLAY_LOCALE)
    return _LETTER_THEN_DIGIT.sub("\u00a0", text, count=1)
