"""The bookings' part in the account lifecycle (contract: accounts.signals).

Connected in BookingsConfig.ready(); runs inside the accounts service's transaction.
"""

from django.utils import timezone

from accounts.models import User
from bookings.selectors import user_has_open_bookings
from core.errors import Conflict


def refuse_while_bookings_open(sender, *, user: User, **kwargs) -> None:
    """account_deletion_requested: an account with bookings still to happen cannot go.

    Takes no lock: on PostgreSQL a booking committed by another request between this
    check and the deletion's commit is not refused (the booking and the anonymised user
    are both kept, nothing is lost)."""
    if user_has_open_bookings(user=user, now=timezone.now()):
        raise Conflict(
            "Cancel your upcoming bookings before deleting the account.", code="open_bookings"
        )
