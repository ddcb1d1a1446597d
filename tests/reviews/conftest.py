"""Helpers for review tests: completed bookings made through the ORM, reviews via services."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import MODERATORS_GROUP, Role
from bookings.models import Booking, BookingStatus
from reviews import services
from reviews.models import PractitionerRating
from tests import factories
from tests.factories import make_practitioner, make_user

_days = itertools.count(2)


def make_booking(*, client, profile, service, status=BookingStatus.COMPLETED) -> Booking:
    """A past booking in the given status; each call takes a different day."""
    start = (timezone.now() - timedelta(days=next(_days))).replace(
        minute=0, second=0, microsecond=0
    )
    end = start + timedelta(minutes=service.duration_minutes)
    return factories.make_booking(
        client=client,
        service=service,
        start=start,
        status=status,
        completed_at=end if status == BookingStatus.COMPLETED else None,
        hold=end if status == BookingStatus.PENDING_PAYMENT else None,
    )


def rating_of(profile) -> PractitionerRating:
    """The practitioner's stored rating; unsaved and empty (0, 0, None) before any approval."""
    return PractitionerRating.objects.filter(practitioner=profile).first() or PractitionerRating(
        practitioner=profile
    )


def make_moderator(**extra):
    user = make_user(role=Role.CLIENT, **extra)
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user.groups.add(group)
    return user


def make_review(*, client, profile, service, rating=4, text="A calm, careful and kind session."):
    booking = make_booking(client=client, profile=profile, service=service)
    return services.review_create(user=client, booking_id=booking.pk, rating=rating, text=text)


def approve(review, moderator):
    return services.review_approve(review_id=review.pk, moderator=moderator)


@pytest.fixture
def moderator(db):
    return make_moderator(name="Mo Derator")


@pytest.fixture
def practice(db):
    """(user, profile, service) of a published practitioner."""
    return make_practitioner(name="Mira Lind")


@pytest.fixture
def reviewer(db):
    return make_user(role=Role.CLIENT, name="Anna Kowalski", email="anna.kowalski@example.org")
