import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Floor, Least, Upper

from directory.geo import GRID_COLUMNS, GRID_DEGREES


class Modality(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"

    def __str__(self):
        return self.name


# A session priced above a million in major units is a typo, and bounds keep SQL integers safe.
MAX_PRICE_AMOUNT = 100_000_000


class ServiceMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


# Minutes before a confirmed booking's start at which its client is reminded.
REMINDER_OFFSETS_DEFAULT = (1440, 120)
REMINDER_OFFSETS_MAX = 3
REMINDER_OFFSET_MIN_MINUTES = 15
REMINDER_OFFSET_MAX_MINUTES = 10080  # a week


def reminder_offsets_default() -> list[int]:
    return list(REMINDER_OFFSETS_DEFAULT)


def _reminder_offsets_in_range() -> Q:
    """At most REMINDER_OFFSETS_MAX elements, each in range (a JSON array's elements by
    index: SQLite and PostgreSQL alike)."""
    field = "reminder_offsets_minutes"
    condition = Q(**{f"{field}__{REMINDER_OFFSETS_MAX}__isnull": True})
    for index in range(REMINDER_OFFSETS_MAX):
        condition &= Q(**{f"{field}__{index}__isnull": True}) | Q(
            **{
                f"{field}__{index}__gte": REMINDER_OFFSET_MIN_MINUTES,
                f"{field}__{index}__lte": REMINDER_OFFSET_MAX_MINUTES,
            }
        )
    return condition


class PractitionerProfile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner_profile"
    )
    slug = models.SlugField(max_length=120, unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    headline = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True, max_length=10_000)
    modalities = models.ManyToManyField(Modality, blank=True, related_name="practitioners")
    # ISO 639-1 codes, e.g. ["en", "de"].
    languages = models.JSONField(default=list, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    offers_online = models.BooleanField(default=False)
    is_published = models.BooleanField(default=False)

    # Booking policy (bounds from API.md, enforced by constraints below).
    min_notice_minutes = models.PositiveIntegerField(default=120)
    max_advance_days = models.PositiveIntegerField(default=90)
    buffer_minutes = models.PositiveIntegerField(default=0)
    slot_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    cancellation_window_hours = models.PositiveIntegerField(default=24)
    late_cancellation_refund_percent = models.PositiveIntegerField(default=0)
    # Distinct, largest first; read when a booking is confirmed (or rescheduled), so an
    # edit changes the reminders of bookings confirmed after it. Database defaults too:
    # app servers of the previous release insert without these columns.
    reminder_offsets_minutes = models.JSONField(
        default=reminder_offsets_default, db_default=list(REMINDER_OFFSETS_DEFAULT)
    )
    # The meeting room of online sessions (shown only to booked clients, in their e-mails).
    online_meeting_url = models.URLField(max_length=500, blank=True, default="", db_default="")

    # What a search result shows besides the columns above (directory.search_cards):
    # derived data, rebuilt by directory.services when its sources change.
    search_card = models.JSONField(default=dict, db_default={}, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_notice_minutes__lte=10080), name="profile_min_notice_range"
            ),
            models.CheckConstraint(
                condition=Q(max_advance_days__gte=1, max_advance_days__lte=730),
                name="profile_max_advance_range",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=240), name="profile_buffer_range"
            ),
            models.CheckConstraint(
                condition=Q(slot_interval_minutes__isnull=True)
                | Q(slot_interval_minutes__gte=5, slot_interval_minutes__lte=480),
                name="profile_slot_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(cancellation_window_hours__lte=720), name="profile_cancel_window_range"
            ),
            models.CheckConstraint(
                condition=Q(late_cancellation_refund_percent__lte=100),
                name="profile_late_refund_range",
            ),
            models.CheckConstraint(
                condition=_reminder_offsets_in_range(), name="profile_reminder_offsets_range"
            ),
        ]

    def __str__(self):
        return self.display_name or self.slug


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=120, blank=True)
    address_line = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    latitude = models.FloatField()
    longitude = models.FloatField()
    # Deleting a location that bookings reference deactivates it: history stays intact.
    is_active = models.BooleanField(default=True)
    # In the public geo search: active, and the practitioner is published. Kept by
    # directory.services, so that a search ranks and counts locations alone.
    # A database default too: app servers of the previous release insert without it.
    is_listed = models.BooleanField(default=False, db_default=False)
    # What people filter on before they travel (search filters of the same names).
    wheelchair_accessible = models.BooleanField(default=False, db_default=False)
    parking = models.BooleanField(default=False, db_default=False)
    public_transport_nearby = models.BooleanField(default=False, db_default=False)
    # The grid cell of directory.geo.grid_cell, computed by the database.
    cell = models.GeneratedField(
        expression=Cast(Floor((F("latitude") + 90) / GRID_DEGREES), models.IntegerField())
        * GRID_COLUMNS
        # Longitude 180 joins the last column instead of starting the next row.
        + Least(
            Cast(Floor((F("longitude") + 180) / GRID_DEGREES), models.IntegerField()),
            GRID_COLUMNS - 1,
        ),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The search asks for the cells its bounding box touches; the trailing
            # columns make the index covering, so no table lookup per candidate.
            models.Index(
                fields=["cell", "latitude", "longitude", "is_listed", "practitioner"],
                name="location_geo_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_listed=False) | Q(is_active=True), name="location_listed_is_active"
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="location_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.city} ({self.latitude:.3f}, {self.longitude:.3f})"

    @property
    def address(self) -> str:
        """The postal address on one line: "Torstraße 1, 10119 Berlin, DE"."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.address_line, town, self.region, self.country)
        return ", ".join(part for part in parts if part)


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=5_000)
    duration_minutes = models.PositiveIntegerField()
    price_amount = models.PositiveIntegerField()  # minor units of `currency`; 0 is free
    # Upper-case ISO 4217, one of MARKETPLACE_CURRENCIES (core.money); no default: a price
    # always says its currency.
    currency = models.CharField(max_length=3)
    mode = models.CharField(
        max_length=20, choices=ServiceMode.choices, default=ServiceMode.IN_PERSON
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    # Deleting a service deactivates it: bookings keep pointing at it.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["practitioner", "is_active", "price_amount"], name="service_price_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="service_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(mode=ServiceMode.ONLINE) | Q(location__isnull=False),
                name="service_in_person_has_location",
            ),
            models.CheckConstraint(
                condition=Q(currency=Upper("currency")), name="service_currency_upper"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"


class SearchDocument(models.Model):
    """A published practitioner's entry in the text index (derived, kept by
    directory.services with the edit; `directory.search_index`).

    The indexed text is not a model field (migration 0012): PostgreSQL keeps it in this
    table's `document` column (a weighted `tsvector` with GIN indexes), SQLite in columns
    of lexemes with an FTS5 index over them (`directory_searchdocument_fts`).
    """

    id = models.BigAutoField(primary_key=True)
    practitioner = models.OneToOneField(
        PractitionerProfile, on_delete=models.CASCADE, related_name="search_document"
    )

    def __str__(self):
        return f"search document of {self.practitioner_id}"


class SearchTerm(models.Model):
    """The index's vocabulary: every lexeme of a search document, the word it came from and
    in how many documents it is. What corrects a typo (`did_you_mean`) and completes a
    prefix; PostgreSQL finds similar words with a pg_trgm index, SQLite with an FTS5
    trigram table (`directory_searchterm_trigram`)."""

    lexeme = models.CharField(max_length=64, unique=True)
    word = models.CharField(max_length=64, db_index=True)
    documents = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.word} ({self.documents})"


def minutes_to_hhmm(minutes: int) -> str:
    """1440 → "24:00": how the API shows a rule's minutes after local midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class AvailabilityRule(models.Model):
    """A weekly window in the practitioner's wall-clock time.

    Stored as minutes after local midnight so a rule can run to 24:00 (end_minute=1440).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="availability_rules"
    )
    weekday = models.PositiveSmallIntegerField()  # Monday=0 .. Sunday=6
    start_minute = models.PositiveSmallIntegerField()
    end_minute = models.PositiveSmallIntegerField()
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="availability_rules"
    )

    class Meta:
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="rule_weekday_range"),
            models.CheckConstraint(
                condition=Q(start_minute__lt=models.F("end_minute"), end_minute__lte=1440),
                name="rule_start_before_end",
            ),
        ]

    def __str__(self):
        return f"{self.weekday} {self.start_minute}-{self.end_minute}"


class TimeOff(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="time_off_start_before_end"
            ),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"


class Photo(models.Model):
    """A practitioner's profile photo (no location) or a photo of one of their locations.

    The files live in the default storage (directory.photo_services writes them):
    `original` is the upload re-encoded without its metadata, `variants` maps a size
    name to `{"name", "width", "height"}` of a WebP copy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="photos"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    original = models.CharField(max_length=255)  # storage name
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    variants = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(location__isnull=True),
                name="photo_one_profile_photo",
            ),
        ]

    def __str__(self):
        return self.original

    @property
    def storage_names(self) -> list[str]:
        return [self.original, *(variant["name"] for variant in self.variants.values())]
