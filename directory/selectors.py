"""Reads of the directory: the practitioner search and the public profile."""

from __future__ import annotations

import contextlib
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
from django.db.models.lookups import LessThanOrEqual

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
    within the radius; None without a point or for an online-only match), and
    carries `priced_services` (prefetched active services of `mode`, cheapest
    first: the result's `price_from` and `currency`). With a point, only
    practitioners with an active location within `radius_km` match, except
    that `mode=online` matches practitioners offering online sessions wherever
    they are (online needs no travel).
    The page is one SQL statement (plus the count); modalities, locations and
    services come prefetched (three more), the same number at any page size.
    """
    if ordering is not None and ordering not in SEARCH_ORDERINGS:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    if ordering == ORDER_DISTANCE and point is None:
        raise LocationRequired()
    if point is not None:
        point = Point(point.latitude, point.longitude).rounded()
    # Conditions and annotations are gathered and applied at once: each filter()
    # call clones the query, and building the query is most of a search's cost.
    conditions = [Q(is_published=True)]
    if modality:
        conditions.append(
            Exists(
                PractitionerProfile.modalities.through.objects.filter(
                    practitionerprofile_id=OuterRef("pk"), modality__slug=modality
                )
            )
        )
    if language:
        conditions.append(_language_filter(language))
    if min_rating is not None:
        conditions.append(Q(rating_average__gte=min_rating))
    for term in (q or "").split()[:8]:
        conditions.append(
            Q(display_name__icontains=term) | Q(headline__icontains=term) | Q(bio__icontains=term)
        )
    if mode:
        conditions.append(Exists(_active_services(mode)))
    if max_price is not None:
        conditions.append(LessThanOrEqual(_price_from(mode), max_price))

    annotations = {}
    if point is None:
        annotations["distance_km"] = Value(None, output_field=FloatField())
    else:
        # Online sessions need no travel: with mode=online the radius does not
        # restrict, and the distance (to the nearest active location) only informs.
        annotations["distance_km"] = _nearest_distance(point)
        if mode != ServiceMode.ONLINE:
            conditions.append(Q(pk__in=_practitioners_within(point, radius_km)))
    if ordering == ORDER_PRICE:
        # Only then in SQL: on a page the price comes from the prefetched services.
        annotations["price_from"] = _price_from(mode)

    qs = queryset if queryset is not None else PractitionerProfile.objects.all()
    qs = qs.filter(*conditions).annotate(**annotations)
    if ordering is None:
        ordering = ORDER_DISTANCE if point is not None else ORDER_RATING
    return order_search(qs, ordering=ordering, has_point=point is not None).prefetch_related(
        *search_prefetches(mode=mode)
    )


def _price_from(mode: str | None) -> Subquery:
    return Subquery(
        _active_services(mode)
        .order_by()
        .values("practitioner")
        .annotate(m=Min("price_amount"))
        .values("m")[:1]
    )


def _practitioners_within(point: Point, radius_km: float) -> QuerySet:
    """Ids of practitioners with an active location within radius_km of point."""
    in_box = Q()
    for box in bounding_boxes(point, radius_km):
        in_box |= Q(
            latitude__gte=box.min_latitude,
            latitude__lte=box.max_latitude,
            longitude__gte=box.min_longitude,
            longitude__lte=box.max_longitude,
        )
    # The box is an index range scan on (latitude, longitude); the distance decides.
    return Location.objects.filter(
        in_box, LessThanOrEqual(distance_km_expression(point), radius_km), is_active=True
    ).values("practitioner_id")


def _nearest_distance(point: Point) -> Subquery:
    """Distance to the practitioner's nearest active location (a lookup by its index).

    It is within the radius whenever any location is, so each practitioner
    appears once, at its nearest location.
    """
    return Subquery(
        Location.objects.filter(practitioner_id=OuterRef("pk"), is_active=True)
        .order_by()
        .values("practitioner_id")
        .annotate(d=Min(distance_km_expression(point)))
        .values("d"),
        output_field=FloatField(),
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


def search_prefetches(*, mode: str | None = None) -> list:
    """Prefetches the result serializers read: modalities, active locations, and the
    active services (of `mode`) cheapest first, from which `price_from` comes."""
    services = Service.objects.filter(is_active=True)
    if mode:
        services = services.filter(mode=mode)
    return [
        Prefetch("modalities", queryset=Modality.objects.order_by("name")),
        Prefetch(
            "locations",
            queryset=Location.objects.filter(is_active=True).order_by("created_at", "pk"),
            to_attr="active_locations",
        ),
        Prefetch(
            "services", queryset=services.order_by("price_amount", "pk"), to_attr="priced_services"
        ),
    ]


def practitioner_get_public(*, key: str) -> PractitionerProfile:
    """A published profile by id or slug, with its active services and locations."""
    qs = PractitionerProfile.objects.filter(is_published=True)
    try:
        qs = qs.filter(pk=uuid.UUID(key))
    except ValueError:
        qs = qs.filter(slug=key)
    qs = qs.prefetch_related(*search_prefetches())
    profile = qs.first()
    if profile is None:
        raise NotFound("No published practitioner with this id or slug.")
    return profile


def modality_list() -> QuerySet[Modality]:
    return Modality.objects.order_by("name")


def published_practitioner_get(*, id_or_slug: str) -> PractitionerProfile:
    """A published practitioner by UUID or slug (a slug that looks like a UUID still works)."""
    qs = PractitionerProfile.objects.filter(is_published=True)
    profile = None
    with contextlib.suppress(ValueError):
        profile = qs.filter(pk=uuid.UUID(str(id_or_slug))).first()
    if profile is None:
        profile = qs.filter(slug=id_or_slug).first()
    if profile is None:
        raise NotFound(
            "No published practitioner with this id or slug.", code="practitioner_not_found"
        )
    return profile
