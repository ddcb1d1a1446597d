import django_filters
from django.utils import timezone

from bookings.models import Booking, BookingStatus


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    # A ChoiceFilter, not a BooleanFilter: that one ignores bad values instead of a 400.
    upcoming = django_filters.ChoiceFilter(
        choices=(("true", "true"), ("false", "false")), method="filter_upcoming"
    )

    class Meta:
        model = Booking
        fields = ["status", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(end__gte=now) if value == "true" else queryset.filter(end__lt=now)
