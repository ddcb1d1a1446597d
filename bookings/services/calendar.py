"""The secret feed URL through which calendar apps read a practitioner's bookings."""

import secrets

from django.db import transaction

from accounts.models import User
from bookings.models import CalendarFeedToken


def calendar_feed_token_get_or_create(*, user: User) -> CalendarFeedToken:
    with transaction.atomic():
        token, _ = CalendarFeedToken.objects.get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
    return token


def calendar_feed_token_rotate(*, user: User) -> CalendarFeedToken:
    """A new secret; the old feed URL stops working at once."""
    with transaction.atomic(durable=True):
        CalendarFeedToken.objects.filter(user=user).delete()
        return CalendarFeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))
