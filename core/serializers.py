"""Serializer fields every app's API uses for money and time (core.money, core.timezones)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import MAX_AMOUNT, money_clean, money_view
from core.timezones import TimezoneRequired, wall_time_in_zone


class MoneySerializer(serializers.Serializer):
    """An amount of money: `amount` in the currency's minor units (cents for EUR and USD,
    yen for JPY, which has none), an upper-case ISO 4217 `currency`, and `display`, the
    amount written out for people ("€85.00"). `display` is for showing only; compute with
    `amount`."""

    amount = serializers.IntegerField(
        min_value=0,
        max_value=MAX_AMOUNT,
        help_text="In the currency's minor units: 8500 is €85.00, 5000 is ¥5,000. "
        'A whole number (not 85.0 or "85").',
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$",
        help_text="Upper-case ISO 4217 code, one of the marketplace's currencies "
        "(default EUR, USD, GBP, CHF, CAD, AUD).",
    )
    display = serializers.CharField(
        read_only=True, help_text='Formatted for people, e.g. "€85.00", "¥5,000".'
    )


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field):
    """Money read from two attributes of the instance (`amount_attr`, `currency_attr`) and,
    when writable, validated by core.money.money_clean into those two names."""

    def __init__(self, *, amount_attr: str, currency_attr: str, **kwargs):
        self.amount_attr, self.currency_attr = amount_attr, currency_attr
        super().__init__(source="*", **kwargs)

    def to_representation(self, instance):
        amount = getattr(instance, self.amount_attr)
        if amount is None:
            return None
        return money_view(amount, getattr(instance, self.currency_attr))

    def to_internal_value(self, data):
        money = money_clean(data, field=self.field_name)
        return {self.amount_attr: money.amount, self.currency_attr: money.currency}


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: ISO 8601 with a UTC offset or Z. One without is 400 `timezone_required`
    (no guess at UTC or any other zone)."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            raise TimezoneRequired(
                fields={self.field_name: [f"{value.isoformat()} has no UTC offset."]}
            )
        return super().enforce_timezone(value)


class WallDateTimeField(serializers.DateTimeField):
    """A time in a zone the context knows (`zone_of(serializer)`): a wall-clock time without
    an offset is read in that zone (400 `local_time_nonexistent` / `local_time_ambiguous`
    across a DST change); one with an offset is taken as it is. Written out in that zone,
    with its offset."""

    def __init__(self, *, zone_of: Callable[[serializers.Field], ZoneInfo], **kwargs):
        self.zone_of = zone_of
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        zone = self.zone_of(self)
        try:
            if timezone.is_naive(value):
                return wall_time_in_zone(value, zone, field=self.field_name)
            return value.astimezone(zone)
        except OverflowError:  # the first or last days of the calendar, moved by an offset
            self.fail("overflow")
