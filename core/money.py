"""Money: an integer amount in the currency's minor units and an upper-case ISO 4217 code.

Every amount the API shows is the one `Money` shape `{amount, currency, display}`
(`money_view`); every amount it takes is checked by `money_clean` against the
marketplace's currencies (`MARKETPLACE_CURRENCIES`), their exponent (JPY has no minor
unit, EUR two) and the payment provider's smallest charge. 0 is a free session.

The database stores upper-case codes; only the Stripe client lower-cases them (its API
wants lower case). Exponents and the `display` text come from Babel (CLDR data).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from core.currencies import (
    MAX_AMOUNT,
    MINIMUM_CHARGE,
    currency_exponent,
    money_display,
    parse_marketplace_currencies,
)
from core.errors import ApplicationError

__all__ = [
    "MAX_AMOUNT",
    "AmountBelowMinimum",
    "AmountInvalid",
    "CurrencyRequired",
    "CurrencyUnsupported",
    "Money",
    "MoneyInvalid",
    "currency_exponent",
    "marketplace_currencies",
    "money_clean",
    "money_display",
    "money_view",
]


class MoneyInvalid(ApplicationError):
    code = "money_invalid"
    message = "Give money as {amount, currency}: a whole number of minor units and a code."


class AmountInvalid(MoneyInvalid):
    code = "amount_invalid"
    message = (
        "`amount` is a whole number of the currency's minor units (8500 for €85.00, "
        "5000 for ¥5,000): not a decimal, a string or negative."
    )


class AmountBelowMinimum(MoneyInvalid):
    code = "amount_below_minimum"
    message = "A paid price must be at least the smallest amount that can be charged."


class CurrencyRequired(MoneyInvalid):
    code = "currency_required"
    message = "Give the currency: an upper-case ISO 4217 code such as EUR."


class CurrencyUnsupported(MoneyInvalid):
    code = "currency_unsupported"
    message = "This currency is not one the marketplace takes."


def marketplace_currencies() -> tuple[str, ...]:
    """The currencies prices may be in (settings.MARKETPLACE_CURRENCIES, checked at start-up)."""
    value = settings.MARKETPLACE_CURRENCIES
    return value if isinstance(value, tuple) else parse_marketplace_currencies(value)


def money_view(amount: int, currency: str) -> dict:
    """The API's `Money`."""
    currency = currency.upper()
    return {"amount": amount, "currency": currency, "display": money_display(amount, currency)}


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str


def money_clean(value, *, field: str = "price") -> Money:
    """A price as sent: `{amount, currency}` with a whole, non-negative amount in minor units
    and a marketplace currency; a paid amount at least the currency's minimum charge.

    Raises a MoneyInvalid subclass whose `fields` names the field (`price.amount`, ...).
    """
    if not isinstance(value, dict):
        raise _error(MoneyInvalid, field, "Give an object {amount, currency}.")
    unknown = sorted(set(value) - {"amount", "currency", "display"})
    if unknown:
        raise _error(MoneyInvalid, field, f"Unknown keys: {', '.join(unknown)}.")
    currency = value.get("currency")
    if currency is None or currency == "":
        raise _error(CurrencyRequired, f"{field}.currency", CurrencyRequired.message)
    allowed = marketplace_currencies()
    if not isinstance(currency, str) or currency not in allowed:
        raise _error(
            CurrencyUnsupported,
            f"{field}.currency",
            f"{currency!r} is not one of {', '.join(allowed)} (upper-case ISO 4217).",
        )
    amount = value.get("amount")
    # JSON integers only: 85.0, "85" and true would be read as something else.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise _error(AmountInvalid, f"{field}.amount", AmountInvalid.message)
    if not 0 <= amount <= MAX_AMOUNT:
        raise _error(
            AmountInvalid, f"{field}.amount", f"Give 0 (free) to {MAX_AMOUNT} minor units."
        )
    minimum = MINIMUM_CHARGE[currency]
    if 0 < amount < minimum:
        raise _error(
            AmountBelowMinimum,
            f"{field}.amount",
            f"A paid price in {currency} is at least {minimum} minor units "
            f"({money_display(minimum, currency)}); 0 makes the session free.",
            extra={"minimum": money_view(minimum, currency)},
        )
    return Money(amount, currency)


def _error(cls, field: str, reason: str, *, extra=None) -> MoneyInvalid:
    message = reason if reason == cls.message else f"{cls.message} {reason}"
    return cls(message, fields={field: [reason]}, extra=extra)
