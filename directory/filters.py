"""Query parameters of the practitioner search, validated by django-filter (bad values → 400).

The FilterSet only validates: `directory.selectors.practitioner_search_page` searches
with its cleaned data. `search_filterset_class()` adds the parameters and orderings of
the registered search extensions (directory.search_extensions; bookings adds
`available_from`/`available_to` and `ordering=next_available`).
"""

from __future__ import annotations

import math
from decimal import Decimal

import django_filters
from django import forms
from django.core.validators import RegexValidator

from directory import selectors
from directory.geo import Point
from directory.models import MAX_PRICE_AMOUNT, Modality, PractitionerProfile, ServiceMode
from directory.search_extensions import SearchExtension, search_extensions


class NearField(forms.CharField):
    """`<lat>,<lng>` in decimal degrees → Point."""

    default_error_messages = {
        "invalid": "Give `near` as <latitude>,<longitude> in decimal degrees, e.g. 52.52,13.40.",
        "range": "Latitude must be within -90..90 and longitude within -180..180.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        parts = value.split(",")
        if len(parts) != 2:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            latitude, longitude = (float(p.strip()) for p in parts)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not (math.isfinite(latitude) and math.isfinite(longitude)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return Point(latitude, longitude).rounded()


class NearFilter(django_filters.CharFilter):
    field_class = NearField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ModalityField(forms.SlugField):
    def validate(self, value):
        super().validate(value)
        if value and not Modality.objects.filter(slug=value).exists():
            raise forms.ValidationError(
                "Unknown modality %(value)s; see /api/v1/modalities/.",
                code="invalid_choice",
                params={"value": value},
            )


class ModalityFilter(django_filters.CharFilter):
    field_class = ModalityField


class SearchForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("near") is not None and data.get("location"):
            raise forms.ValidationError(
                {"location": "Give either `near` or `location`, not both."}, code="conflict"
            )
        for extension in search_extensions():
            extension.clean(data)
        return data


_NOOP = "filter_noop"


class _FeatureFilter(django_filters.ChoiceFilter):
    """`true` or `false` (a bad value is a 400, not ignored as BooleanFilter would)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        super().__init__(*args, **kwargs)


def _ordering_filter(choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        method=_NOOP, choices=choices, help_text="Order of the results."
    )


class PractitionerSearchFilterSet(django_filters.FilterSet):
    #: Orderings the selector applies itself; search extensions add theirs.
    ORDERING_CHOICES = [
        (
            selectors.ORDER_RELEVANCE,
            "Relevance to `q` (default with `q`): blended with distance with a location",
        ),
        (selectors.ORDER_DISTANCE, "Distance, nearest first (default with a location)"),
        (selectors.ORDER_RATING, "Rating, best first (default without a location)"),
        (selectors.ORDER_PRICE, "Lowest price first"),
    ]

    near = NearFilter(method=_NOOP, help_text="Search point: `<latitude>,<longitude>`.")
    location = django_filters.CharFilter(
        method=_NOOP,
        max_length=200,
        help_text='Search around a place given as text: a city ("Berlin", "Paris, Texas")'
        " or a postal code with its country. The response's `place` says what it was taken"
        " for.",
    )
    # Checked by the selector, which answers `country_invalid` for a bad code.
    country = django_filters.CharFilter(
        method=_NOOP,
        help_text="ISO 3166-1 alpha-2 code (`DE`, `US`): `location` is looked up in this"
        " country only. A postal code used in several countries needs it. A code that is"
        " not one answers 400 `country_invalid`.",
    )
    radius_km = django_filters.NumberFilter(
        method=_NOOP,
        min_value=Decimal("0.1"),
        max_value=Decimal(selectors.MAX_RADIUS_KM),
        help_text="Radius around the search point in km (default 25, max 500).",
    )
    modality = ModalityFilter(method=_NOOP, help_text="A modality slug (see /api/v1/modalities/).")
    language = django_filters.CharFilter(
        method=_NOOP,
        max_length=2,
        validators=[RegexValidator(r"^[a-z]{2}$", "Give an ISO 639-1 code such as `en`.")],
        help_text="ISO 639-1 language code the practitioner speaks.",
    )
    mode = django_filters.ChoiceFilter(
        method=_NOOP,
        choices=ServiceMode.choices,
        help_text="`online` also matches practitioners far away or without a location.",
    )
    max_price = IntegerFilter(
        method=_NOOP,
        min_value=0,
        max_value=MAX_PRICE_AMOUNT,
        help_text="Cheapest service at most this (minor units).",
    )
    min_rating = django_filters.NumberFilter(
        method=_NOOP,
        min_value=Decimal(0),
        max_value=Decimal(5),
        help_text="Average approved rating at least this (0-5).",
    )
    # Its limits (200 characters, 8 words) answer their own codes (directory.text).
    q = django_filters.CharFilter(
        method=_NOOP,
        help_text="Words of the name, modalities, headline or bio (at most 8 words, 200"
        " characters): word forms and small typos match; an empty `q` is no `q`.",
    )
    facets = django_filters.CharFilter(
        method=_NOOP,
        help_text="Comma-separated facets to count: modality, language, mode, price, rating.",
    )
    wheelchair_accessible = _FeatureFilter(
        method=_NOOP, help_text="`true`: a (nearby) location is wheelchair accessible."
    )
    parking = _FeatureFilter(method=_NOOP, help_text="`true`: a (nearby) location has parking.")
    public_transport_nearby = _FeatureFilter(
        method=_NOOP, help_text="`true`: a (nearby) location is near public transport."
    )
    ordering = _ordering_filter(ORDERING_CHOICES)

    class Meta:
        model = PractitionerProfile
        fields = []
        form = SearchForm

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for name, filter_ in filters.items():
            # Labels are otherwise derived from the model's verbose names on every
            # request (filters are copied per request): a noticeable share of a search.
            if filter_.label is None:
                filter_.label = name.replace("_", " ").capitalize()
        return filters

    def filter_noop(self, queryset, name, value):
        return queryset


_composed: dict[tuple[SearchExtension, ...], type[PractitionerSearchFilterSet]] = {}


def search_filterset_class() -> type[PractitionerSearchFilterSet]:
    """The search's FilterSet with the registered extensions' parameters and orderings."""
    extensions = search_extensions()
    if not extensions:
        return PractitionerSearchFilterSet
    if extensions not in _composed:
        attrs = {}
        for extension in extensions:
            attrs.update(extension.filters())
        choices = [*PractitionerSearchFilterSet.ORDERING_CHOICES]
        choices += [choice for extension in extensions for choice in extension.orderings]
        attrs["ordering"] = _ordering_filter(choices)
        attrs["ORDERING_CHOICES"] = choices
        _composed[extensions] = type(
            "PractitionerSearchFilterSet", (PractitionerSearchFilterSet,), attrs
        )
    return _composed[extensions]
