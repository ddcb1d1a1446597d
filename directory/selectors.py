"""Reads of the directory: the practitioner search and the public profile."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from config.errors import ApplicationError, NotFound
from directory.geo import Point, bounding_boxes, distance_km_expression
from directory.models import Location, Modality, PractitionerProfile, Service, ServiceMode

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0

# Orderings the selector knows. Apps above directory (bookings) add their own on top.
ORDER_DISTANCE = "distance"
ORDER_RATING = "-rating"
ORDER_PRICE = "price"
SEARCH_ORDERINGS = (ORDER_DISTANCE, ORDER_RATING, ORDER_PRICE)


class LocationRequired(ApplicationError):
    code = "location_required"
    message = "Ordering by distance needs `near` or `location`."


def _active_services(mode: str | None) -> QuerySet[Service]:
    services = Service.objects.filter(practitioner=OuterRef("pk"), is_active=True)
    if mode:
        services = services.filter(mode=mode)
    return services


def _language_filter(language: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(languages__contains=[language])
    # SQLite has no JSON containment; codes are validated [a-z]{2}, so the quoted
    # token can only match a whole list element of the stored JSON text.
    return Q(languages__icontains=f'"{language}"')


def practitioner_search(
    *,
    point: Point | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    modality: str | None = None,
    language: str | None = None,
    mode: str | None = None,
    max_price: int | None = None,
    min_rating: Decimal | float | None = None,
    q: str | None = None,
    ordering: str | None = None,
    queryset: QuerySet[PractitionerProfile] | None = None,
) -> QuerySet[PractitionerProfile]:
    """Published practitioners matching the filters, ordered, ready to paginate.

    Each row is annotated with `distance_km` (to its nearest active location
    within the radius; None without a point or for an online-only match),
    `price_from` and `price_currency` (cheapest active service, of `mode` if
    given). With a point, only practitioners with an active location within
    `radius_km` match, except that `mode=online` matches practitioners
    offering online sessions wherever they are (online needs no travel).
    The query is one SQL statement; locations and modalities come prefetched
    (two more), so a page costs the same number of queries at any size.
    """
    if ordering is not None and ordering not in SEARCH_ORDERINGS:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    if ordering == ORDER_DISTANCE and point is None:
        raise LocationRequired()
    qs = queryset if queryset is not None else PractitionerProfile.objects.all()
    qs = qs.filter(is_published=True)

    if modality:
        qs = qs.filter(
            Exists(
                PractitionerProfile.modalities.through.objects.filter(
                    practitionerprofile_id=OuterRef("pk"), modality__slug=modality
                )
            )
        )
    if language:
        qs = qs.filter(_language_filter(language))
    if min_rating is not None:
        qs = qs.filter(rating_average__gte=min_rating)
    if q:
        for term in q.split()[:8]:
            qs = qs.filter(
                Q(display_name__icontains=term)
                | Q(headline__icontains=term)
                | Q(bio__icontains=term)
            )
    if mode == ServiceMode.ONLINE:
        qs = qs.filter(Exists(_active_services(ServiceMode.ONLINE)))
    elif mode == ServiceMode.IN_PERSON:
        qs = qs.filter(Exists(_active_services(ServiceMode.IN_PERSON)))

    services = _active_services(mode).order_by()
    cheapest = services.order_by("price_amount", "pk")
    qs = qs.annotate(
        price_from=Subquery(
            services.values("practitioner").annotate(m=Min("price_amount")).values("m")[:1]
        ),
        price_currency=Subquery(cheapest.values("currency")[:1]),
    )
    if max_price is not None:
        qs = qs.filter(price_from__lte=max_price)

    if point is not None and mode != ServiceMode.ONLINE:
        qs = _within_radius(qs, point=point, radius_km=radius_km)
    elif point is not None:
        # Online: no radius; the distance (nearest active location) is informative only.
        nearest = (
            Location.objects.filter(practitioner=OuterRef("pk"), is_active=True)
            .annotate(d=distance_km_expression(point))
            .order_by("d")
            .values("d")[:1]
        )
        qs = qs.annotate(distance_km=Subquery(nearest, output_field=FloatField()))
    else:
        qs = qs.annotate(distance_km=Value(None, output_field=FloatField()))

    if ordering is None:
        ordering = ORDER_DISTANCE if point is not None else ORDER_RATING
    return order_search(qs, ordering=ordering, has_point=point is not None).prefetch_related(
        *search_prefetches()
    )


def _within_radius(qs: QuerySet, *, point: Point, radius_km: float) -> QuerySet:
    in_box = Q()
    for box in bounding_boxes(point, radius_km):
        in_box |= Q(
            latitude__gte=box.min_latitude,
            latitude__lte=box.max_latitude,
            longitude__gte=box.min_longitude,
            longitude__lte=box.max_longitude,
        )
    # Locations in the box (an index range scan), then the exact distance test.
    nearby = (
        Location.objects.filter(in_box, is_active=True)
        .alias(d=distance_km_expression(point))
        .filter(d__lte=radius_km)
        .values("practitioner_id")
    )
    # The nearest active location is within the radius whenever any is, so the
    # correlated minimum over all of a practitioner's active locations (a lookup
    # by the practitioner index) gives each practitioner once, at its nearest one.
    nearest = (
        Location.objects.filter(practitioner_id=OuterRef("pk"), is_active=True)
        .order_by()
        .values("practitioner_id")
        .annotate(d=Min(distance_km_expression(point)))
        .values("d")
    )
    return qs.filter(pk__in=nearby).annotate(
        distance_km=Subquery(nearest, output_field=FloatField())
    )


def order_search(qs: QuerySet, *, ordering: str, has_point: bool) -> QuerySet:
    """Apply one of SEARCH_ORDERINGS; ties broken by distance (if any), then id."""
    by_distance = [F("distance_km").asc(nulls_last=True)] if has_point else []
    if ordering == ORDER_DISTANCE:
        keys = [*by_distance]
    elif ordering == ORDER_RATING:
        keys = [
            F("rating_average").desc(nulls_last=True),
            F("rating_count").desc(),
            *by_distance,
        ]
    elif ordering == ORDER_PRICE:
        keys = [F("price_from").asc(nulls_last=True), *by_distance]
    else:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    return qs.order_by(*keys, "pk")


def search_prefetches() -> list:
    return [
        Prefetch("modalities", queryset=Modality.objects.order_by("name")),
        Prefetch(
            "locations",
            queryset=Location.objects.filter(is_active=True).order_by("created_at", "pk"),
            to_attr="active_locations",
        ),
    ]


def practitioner_get_public(*, key: str) -> PractitionerProfile:
    """A published profile by id or slug, with its active services and locations."""
    qs = PractitionerProfile.objects.filter(is_published=True)
    try:
        qs = qs.filter(pk=uuid.UUID(key))
    except ValueError:
        qs = qs.filter(slug=key)
    qs = qs.annotate(
        price_from=Subquery(
            _active_services(None)
            .values("practitioner")
            .annotate(m=Min("price_amount"))
            .values("m")[:1]
        ),
        price_currency=Subquery(
            _active_services(None).order_by("price_amount", "pk").values("currency")[:1]
        ),
    ).prefetch_related(
        *search_prefetches(),
        Prefetch(
            "services",
            queryset=Service.objects.filter(is_active=True).order_by("price_amount", "name"),
            to_attr="active_services",
        ),
    )
    profile = qs.first()
    if profile is None:
        raise NotFound("No published practitioner with this id or slug.")
    return profile


def modality_list() -> QuerySet[Modality]:
    return Modality.objects.order_by("name")
