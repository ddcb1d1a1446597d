"""Reads: a user's bookings and what a booking request names (the slot engine's reads
are in bookings.availability)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from accounts.models import User
from bookings import payment_port
from bookings.models import (
    HOLD_STATUS,
    Booking,
    BookingStatus,
    CalendarFeedToken,
    IdempotencyKey,
    active_bookings_q,
    lapsed_holds_q,
)
from bookings.payment_port import PaymentView
from core.errors import NotFound
from directory.models import PractitionerProfile, Service
from directory.photo_serializers import profile_photos_prefetch
from directory.selectors import published_practitioner_get

IDEMPOTENCY_TTL = timedelta(hours=24)


def range_taken(
    *,
    practitioner_id,
    blocked_start: datetime,
    blocked_end: datetime,
    now: datetime,
    exclude_id=None,
) -> bool:
    """Whether an active booking's blocked range overlaps [blocked_start, blocked_end).

    The same test the PostgreSQL exclusion constraint makes, with the clock it cannot see.
    """
    clash = Booking.objects.filter(
        active_bookings_q(now=now),
        practitioner_id=practitioner_id,
        blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    )
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    return clash.exists()


def client_has_completed_booking(*, user: User) -> bool:
    """Whether the user has been the client of at least one completed session, with anyone."""
    return Booking.objects.filter(client=user, status=BookingStatus.COMPLETED).exists()


def bookings_visible_to(*, user: User) -> QuerySet[Booking]:
    """The bookings the user is a party to, with what a booking response reads of the
    parties (its `service` and `location` are the booking's own snapshots)."""
    return (
        Booking.objects.filter(Q(client=user) | Q(practitioner__user=user))
        .select_related("practitioner", "client")
        .prefetch_related(profile_photos_prefetch("practitioner__photos"))
    )


def bookings_listed_for(*, user: User) -> QuerySet[Booking]:
    """GET /bookings/: the user's bookings by start, with what their payment views read."""
    bookings = bookings_visible_to(user=user).order_by("start")
    return payment_port.get().prefetch_payment_views(bookings)


def booking_payment_view(*, booking: Booking, viewer: User | None) -> PaymentView:
    """What the booking response shows of its payment to `viewer`: the `payment` block
    (only the paying client's) and the refund."""
    return payment_port.get().payment_view(booking=booking, viewer=viewer)


def bookings_with_status(bookings: QuerySet[Booking], *, statuses, now: datetime):
    """The bookings whose status, as the API shows it at `now`, is one of `statuses`: a
    lapsed hold counts as expired, not as pending."""
    statuses = set(statuses)
    condition = Q(status__in=statuses - {HOLD_STATUS})
    if HOLD_STATUS in statuses:
        condition |= Q(status=HOLD_STATUS) & ~lapsed_holds_q(now=now)
    if BookingStatus.EXPIRED in statuses:
        condition |= lapsed_holds_q(now=now)
    return bookings.filter(condition)


def user_has_open_bookings(*, user: User, now: datetime) -> bool:
    """Bookings still to happen (or to be paid) that the user is a party to."""
    return bookings_visible_to(user=user).filter(active_bookings_q(now=now)).exists()


def booking_get_for_party(*, user: User, booking_id) -> Booking:
    """A booking the user is a party to; anyone else gets 404, not 403."""
    booking = bookings_visible_to(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def idempotency_key_live(*, user: User, key: str, now: datetime) -> IdempotencyKey | None:
    return (
        IdempotencyKey.objects.filter(user=user, key=key, created_at__gt=now - IDEMPOTENCY_TTL)
        .select_related("booking")
        .first()
    )


def practitioner_upcoming_bookings(*, user: User, now: datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(
            practitioner__user=user,
            status=BookingStatus.CONFIRMED,
            end__gte=now,
        )
        .select_related("client", "practitioner__user")
        .order_by("start")
    )


def service_for_booking(*, service_id) -> Service:
    """The service a booking request names; an unknown one is a 400 on `service`."""
    service = (
        Service.objects.select_related("practitioner", "location").filter(pk=service_id).first()
    )
    if service is None:
        raise ValidationError({"service": ["No such service."]})
    return service


_SLOTS_SERVICE_FIELDS = (
    "id",
    "practitioner_id",
    "duration_minutes",
    "location_id",
    "practitioner__id",
    "practitioner__slug",
    "practitioner__timezone",
    "practitioner__slot_interval_minutes",
    "practitioner__buffer_minutes",
    "practitioner__min_notice_minutes",
    "practitioner__max_advance_days",
)


def bookable_service_of(*, id_or_slug: str, service_id) -> Service:
    """An active service of a published practitioner (by id or slug), in one query.

    Anything else falls back to the two lookups that give the precise error:
    404 for the practitioner, 400 on `service`.
    """
    service = (
        Service.objects.select_related("practitioner")
        .filter(pk=service_id, is_active=True, practitioner__is_published=True)
        # What the slots need: loading both whole rows cost more than the slots' own query.
        .only(*_SLOTS_SERVICE_FIELDS)
        .first()
    )
    if service is not None and id_or_slug in (
        str(service.practitioner_id),
        service.practitioner.slug,
    ):
        return service
    practitioner = published_practitioner_get(id_or_slug=id_or_slug)
    return practitioner_service_get(practitioner=practitioner, service_id=service_id)


def practitioner_service_get(*, practitioner: PractitionerProfile, service_id) -> Service:
    service = Service.objects.filter(
        pk=service_id, practitioner=practitioner, is_active=True
    ).first()
    if service is None:
        raise ValidationError({"service": ["No active service of this practitioner."]})
    return service


def calendar_feed_owner(*, token: str) -> User:
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise NotFound("No such calendar feed.")
    return feed.user
