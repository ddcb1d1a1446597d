"""The one lock order for the rows several lifecycles touch.

Every transaction that locks more than one of these rows takes them in this order,
and only through the helpers below (or, for upper apps' rows, right after them):

1. the practitioner's profile row (`directory.PractitionerProfile`): it serialises
   every change to one practitioner's calendar, so holds, confirmations, reschedules
   and expiries of that practitioner never interleave;
2. the booking row(s) of that practitioner;
3. rows of upper apps that hang off a booking, e.g. payments' `Payment` and then its
   `Refund` rows, locked after `lock_booking` returned.

A Stripe event's own row (`payments.WebhookEvent`) is locked before all of these: it
is a mutex for that one event, and nothing takes it while holding another lock.
Taking the booking first and its practitioner second (as one joined statement did)
can deadlock against a path that holds the practitioner and waits for the booking.
"""

from __future__ import annotations

from bookings.models import Booking
from directory.models import PractitionerProfile


def lock_practitioner(practitioner_id) -> PractitionerProfile:
    return PractitionerProfile.objects.select_for_update().get(pk=practitioner_id)


def lock_booking(booking: Booking) -> Booking:
    """Lock the booking's practitioner, then the booking; return the locked, fresh booking.

    A booking never changes practitioner, so `booking.practitioner_id` of a stale copy
    names the right row to lock first.
    """
    practitioner = lock_practitioner(booking.practitioner_id)
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    locked.practitioner = practitioner
    return locked
