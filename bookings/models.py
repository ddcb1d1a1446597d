import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from directory.models import Location, PractitionerProfile, Service, ServiceMode


class BookingStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    EXPIRED = "expired", "Expired"


# The one definition of an "active" booking, one that occupies its slot: a confirmed
# booking always, a pending one while its hold runs. `active_bookings_q` and the raw
# statements of bookings.sql are built from these two names; the PostgreSQL exclusion
# constraint (migration 0003) cannot see the clock and so covers ACTIVE_STATUSES whole.
HOLD_STATUS = BookingStatus.PENDING_PAYMENT
ACTIVE_STATUSES = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)
FIRM_STATUSES = tuple(status for status in ACTIVE_STATUSES if status != HOLD_STATUS)


def active_bookings_q(*, now) -> Q:
    """Bookings that occupy their slot at `now`: confirmed, or pending with a running hold."""
    return Q(status__in=FIRM_STATUSES) | Q(status=HOLD_STATUS, hold_expires_at__gt=now)


def lapsed_holds_q(*, now) -> Q:
    """Pending bookings whose hold ran out: they read `expired` from that moment on, before
    the periodic job writes it."""
    return Q(status=HOLD_STATUS, hold_expires_at__lte=now)


def status_at(booking: "Booking", *, now) -> str:
    """The status a booking has at `now`, as the API shows it: a lapsed hold is expired."""
    if booking.status == HOLD_STATUS and booking.hold_expires_at <= now:
        return BookingStatus.EXPIRED
    return booking.status


class CancelledBy(models.TextChoices):
    CLIENT = "client", "Client"
    PRACTITIONER = "practitioner", "Practitioner"
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"


CANCELLATION_REASON_MAX_LENGTH = 500


class Booking(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The interval this booking keeps others out of: [start, end + buffer). Two such
    # ranges overlap exactly when the bookings are less than one buffer apart, so the
    # exclusion constraint (PostgreSQL) and the slot engine agree.
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    # Copied from the service and its location when the booking is made (and again when
    # it is moved), so that later edits never rewrite history: what the booking shows.
    duration_minutes = models.PositiveIntegerField()
    service_name = models.CharField(max_length=120)
    service_mode = models.CharField(max_length=20, choices=ServiceMode.choices)
    location_name = models.CharField(max_length=120, blank=True, default="")
    location_address = models.CharField(max_length=400, blank=True, default="")
    location_latitude = models.FloatField(null=True, blank=True)
    location_longitude = models.FloatField(null=True, blank=True)
    amount = models.PositiveIntegerField()  # minor units of `currency`
    currency = models.CharField(max_length=3)  # upper-case ISO 4217
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.PositiveIntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_by_role = models.CharField(
        max_length=20, choices=CancelledBy.choices, null=True, blank=True
    )
    cancellation_reason = models.CharField(
        max_length=CANCELLATION_REASON_MAX_LENGTH, blank=True, default="", db_default=""
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # RFC 5545 SEQUENCE of the calendar event: bumped on every change sent to attendees.
    ics_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(
                fields=["practitioner", "status", "blocked_start"], name="booking_busy_idx"
            ),
            models.Index(fields=["client", "start"], name="booking_client_idx"),
            models.Index(fields=["status", "hold_expires_at"], name="booking_hold_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=models.F("start"), blocked_end__gte=models.F("end")),
                name="booking_blocked_covers_booking",
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.PENDING_PAYMENT)
                | Q(hold_expires_at__isnull=False),
                name="booking_pending_has_hold",
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__lte=models.F("amount")),
                name="booking_refund_le_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.CANCELLED) | Q(cancelled_by_role__isnull=False),
                name="booking_cancelled_says_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(currency=Upper("currency")), name="booking_currency_upper"
            ),
            models.CheckConstraint(
                condition=Q(service_mode__in=ServiceMode.values), name="booking_service_mode"
            ),
            models.CheckConstraint(
                condition=Q(location_latitude__isnull=True, location_longitude__isnull=True)
                | Q(location_latitude__isnull=False, location_longitude__isnull=False),
                name="booking_location_point",
            ),
        ]

    def __str__(self):
        return f"{self.practitioner} {self.start:%Y-%m-%d %H:%M} ({self.status})"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a user sent with POST /bookings/, live for 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of the canonical request body
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self):
        return f"{self.key} ({self.user_id})"


class CalendarFeedToken(models.Model):
    """The secret that lets a calendar app read a practitioner's feed without a JWT."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"calendar feed of {self.user_id}"
