from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import django_filters
from django import forms
from django.utils import timezone

from bookings.availability import practitioners_first_free_slot
from bookings.errors import SearchTooBroad
from bookings.models import Booking, BookingStatus
from bookings.selectors import bookings_with_status
from bookings.slots import horizon
from directory.errors import LocationRequired
from directory.search_extensions import Candidates, SearchExtension


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=BookingStatus.choices,
        method="filter_status",
        help_text="As the bookings read: a hold that lapsed is `expired`.",
    )
    # A ChoiceFilter, not a BooleanFilter: that one ignores bad values instead of a 400.
    upcoming = django_filters.ChoiceFilter(
        choices=(("true", "true"), ("false", "false")), method="filter_upcoming"
    )

    class Meta:
        model = Booking
        fields = ["status", "upcoming"]

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return bookings_with_status(queryset, statuses=value, now=timezone.now())

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(end__gte=now) if value == "true" else queryset.filter(end__lt=now)


# --- Availability-aware practitioner search (extends directory's search) ---------

ORDER_NEXT_AVAILABLE = "next_available"
MAX_AVAILABILITY_DAYS = 62
# Without a window, ordering by next availability looks this far ahead.
NEXT_AVAILABLE_DAYS = 14
# The engine runs per candidate, so the geo filter must leave a bounded set.
MAX_AVAILABILITY_CANDIDATES = 3000


# The result attribute directory's search result shows as `next_available`.
RESULT_NEXT_AVAILABLE = "next_available"


class AvailabilitySearch(SearchExtension):
    """Directory search plus `available_from`/`available_to` and `ordering=next_available`;
    each result then carries the start of its first free slot (`next_available`).

    The slot engine runs only on the geo-filtered candidates, with the very inputs the
    slots endpoint uses; dates are days in each practitioner's own zone, as there.
    Registered in `BookingsConfig.ready()`.
    """

    orderings = [(ORDER_NEXT_AVAILABLE, "Earliest free slot first (needs a location)")]

    def filters(self):
        return {
            "available_from": django_filters.DateFilter(
                method="filter_noop", help_text="Has a free slot on or after this day (YYYY-MM-DD)."
            ),
            "available_to": django_filters.DateFilter(
                method="filter_noop",
                help_text="Has a free slot on or before this day (YYYY-MM-DD).",
            ),
        }

    def clean(self, data: dict) -> None:
        start, end = data.get("available_from"), data.get("available_to")
        first, last = horizon(timezone.now().date())
        for name, day in (("available_from", start), ("available_to", end)):
            if day and not first <= day <= last:
                raise forms.ValidationError(
                    {name: f"Must be between {first} and {last}."}, code="invalid"
                )
        if start and end:
            if end < start:
                raise forms.ValidationError(
                    {"available_to": "Must not be before `available_from`."}, code="invalid"
                )
            if (end - start).days + 1 > MAX_AVAILABILITY_DAYS:
                raise forms.ValidationError(
                    {"available_to": f"The window is at most {MAX_AVAILABILITY_DAYS} days."},
                    code="invalid",
                )

    @staticmethod
    def availability_window(data: Mapping) -> tuple[date, date] | None:
        start, end = data.get("available_from"), data.get("available_to")
        if start is None and end is None:
            return None
        today = timezone.now().date()
        start = start or min(today, end)
        return start, end or start

    def refine(self, candidates: Candidates, data: Mapping) -> Candidates:
        window = self.availability_window(data)
        by_next = data.get("ordering") == ORDER_NEXT_AVAILABLE
        if window is None and not by_next:
            return candidates
        if data.get("near") is None and not data.get("location"):
            raise LocationRequired("Searching by availability needs `near` or `location`.")
        ids = candidates.ids(limit=MAX_AVAILABILITY_CANDIDATES + 1)
        if len(ids) > MAX_AVAILABILITY_CANDIDATES:
            raise SearchTooBroad()
        if window is None:
            today = timezone.now().date()
            window = (today, today + timedelta(days=NEXT_AVAILABLE_DAYS - 1))
        # The earliest start, also when only filtering: each result shows it.
        first = practitioners_first_free_slot(
            practitioner_ids=ids,
            date_from=window[0],
            date_to=window[1],
            mode=data.get("mode") or None,
        )
        if self.availability_window(data) is not None:
            ids = [pk for pk in ids if first.get(pk) is not None]
        if by_next:
            # Stable: practitioners free at the same moment keep the selector's order.
            ids.sort(key=lambda pk: (first.get(pk) is None, first.get(pk) or window_end(window)))
        return candidates.ranked(ids, details={RESULT_NEXT_AVAILABLE: first})


def window_end(window: tuple[date, date]) -> datetime:
    return datetime.combine(window[1] + timedelta(days=2), datetime.min.time(), UTC)
