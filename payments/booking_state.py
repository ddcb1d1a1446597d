"""The booking transitions payments needs, in one place.

Payments moves a booking only through these functions, which delegate to
`bookings.services`. Callers hold the practitioner and booking row locks.
"""

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking, BookingStatus


def slot_is_free_for(booking: Booking) -> bool:
    """Whether no other active booking of the practitioner overlaps this one's blocked range."""
    now = timezone.now()
    return not (
        Booking.objects.filter(
            practitioner_id=booking.practitioner_id,
            blocked_start__lt=booking.blocked_end,
            blocked_end__gt=booking.blocked_start,
        )
        .exclude(pk=booking.pk)
        .filter(
            Q(status=BookingStatus.CONFIRMED)
            | Q(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__gt=now)
        )
        .exists()
    )


def confirm(booking: Booking) -> None:
    booking.status = BookingStatus.CONFIRMED
    booking.save(update_fields=["status", "updated_at"])


def expire(booking: Booking) -> None:
    booking.status = BookingStatus.EXPIRED
    booking.save(update_fields=["status", "updated_at"])
