"""Shapes of the search's envelope (did_you_mean, facets) and of autocomplete."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from directory.serializers import PractitionerSearchResultSerializer


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField(
        help_text="What to pass as the facet's parameter (`modality`, `language`, `mode`,"
        " `max_price`, `min_rating`)."
    )
    count = serializers.IntegerField(help_text="Practitioners the search gives with it.")


class FacetsSerializer(serializers.Serializer):
    modality = FacetValueSerializer(many=True, required=False)
    language = FacetValueSerializer(many=True, required=False)
    mode = FacetValueSerializer(many=True, required=False)
    price = FacetValueSerializer(
        many=True,
        required=False,
        help_text="Cumulative bands: cheapest service at most `value` (minor units).",
    )
    rating = FacetValueSerializer(
        many=True, required=False, help_text="Cumulative bands: average rating at least `value`."
    )


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField(
        allow_null=True,
        help_text='The place\'s name as found ("Berlin", "New York, NY 10119"); null when'
        " the search was given coordinates.",
    )
    country = serializers.CharField(
        allow_null=True,
        help_text="ISO 3166-1 alpha-2 code of the place's country; null when not known.",
    )
    latitude = serializers.FloatField(help_text="The search's centre, decimal degrees.")
    longitude = serializers.FloatField(help_text="The search's centre, decimal degrees.")
    source = serializers.ChoiceField(
        choices=["gazetteer", "geocoder", "coordinates"],
        help_text="How the place was found: `gazetteer` (the built-in list of cities and US"
        " ZIP codes), `geocoder` (an address lookup service), `coordinates` (given as `near`).",
    )

    def to_representation(self, place):
        return {
            "name": place.name,
            "country": place.country,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "source": place.source,
        }


# The page itself (the search builds its envelope): not to be wrapped in another page.
@extend_schema_serializer(many=False)
class PractitionerSearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PractitionerSearchResultSerializer(many=True)
    place = PlaceSerializer(
        allow_null=True,
        help_text="The place the search was centred on (from `location` or `near`), so that"
        " a client can show what was searched around; null without either.",
    )
    did_you_mean = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="With `q`: the query as corrected when a word matched nothing as typed"
        " (the results are the corrected query's), else null.",
    )
    facets = FacetsSerializer(
        required=False,
        help_text="With `facets`: counts per value, each facet as if its own"
        " filter were not applied.",
    )


class AutocompleteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(help_text="What was typed so far (at most 8 words, 200 characters).")
    near = serializers.CharField(
        required=False, help_text="`<latitude>,<longitude>`: nearby places and practitioners first."
    )
    country = serializers.CharField(
        required=False,
        help_text="ISO 3166-1 alpha-2 code (`DE`): only places in this country are suggested.",
    )

    def validate_near(self, value):
        from django import forms

        from directory.filters import NearField

        try:
            return NearField(required=False).clean(value)
        except forms.ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["practitioner", "modality", "place"])
    label = serializers.CharField()
    detail = serializers.CharField(
        help_text="A practitioner's cities, a place's country code; empty for a modality."
    )
    params = serializers.DictField(
        child=serializers.CharField(),
        help_text="Parameters of `GET /api/v1/practitioners/` to search with next.",
    )
    slug = serializers.CharField(
        allow_null=True, help_text="A practitioner's slug (its profile); null otherwise."
    )


class AutocompleteSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)
