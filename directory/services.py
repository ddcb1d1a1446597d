"""Writes of the directory: profiles, locations, services, weekly rules, time off.

Deletion policy: a location or a service that bookings may reference is never
deleted. `location_deactivate` and `service_deactivate` (what DELETE does)
set `is_active=False`: the object leaves the workspace lists, the public
profile and the search, while bookings keep pointing at it. Deactivating a
location also deactivates the in-person services held there and removes the
weekly rules bound to it (rules are plans, not history) and its photos. A deactivated
service can be switched on again with `is_active: true`; a deactivated
location cannot (create a new one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.permissions import require_verified_email
from core.errors import Conflict
from core.money import money_clean
from directory import codes
from directory.errors import ProfileIncomplete
from directory.geo import Point
from directory.geocoding import geocode_address
from directory.models import (
    AvailabilityRule,
    Location,
    Modality,
    PractitionerProfile,
    Service,
    ServiceMode,
    TimeOff,
    minutes_to_hhmm,
)
from directory.photo_services import photos_delete_of_location, photos_delete_of_practitioner
from directory.reminders import reminder_offsets_clean
from directory.search_cards import build_search_card
from directory.search_index import search_document_refresh

MINUTES_PER_DAY = 24 * 60


def _unique_slug(*, base: str, exclude_pk=None) -> str:
    root = slugify(base)[:100] or "practitioner"
    candidate, n = root, 1
    taken = PractitionerProfile.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


def profile_create_for_practitioner(*, user: User) -> PractitionerProfile:
    """Every practitioner gets an unpublished profile at registration."""
    with transaction.atomic():
        return PractitionerProfile.objects.create(
            user=user,
            display_name=user.name,
            slug=_unique_slug(base=user.name or user.email.split("@")[0]),
        )


def profile_close_for_deleted_account(*, user: User) -> None:
    """A deleted practitioner leaves the directory; bookings and reviews keep the profile row.

    Their photos are personal data, not history: rows and files go (files after commit).
    """
    with transaction.atomic():
        PractitionerProfile.objects.filter(user=user).update(
            is_published=False, display_name="", headline="", bio=""
        )
        Location.objects.filter(practitioner__user=user).update(is_listed=False)
        for profile in PractitionerProfile.objects.filter(user=user):
            search_document_refresh(profile=profile)  # unpublished: out of the text index
        photos_delete_of_practitioner(user=user)


def _list_locations(profile: PractitionerProfile) -> None:
    """Keep `Location.is_listed`: the active locations of a published practitioner."""
    Location.objects.filter(practitioner=profile, is_active=True).update(
        is_listed=profile.is_published
    )


def search_card_refresh(*, profile: PractitionerProfile) -> None:
    """Rebuild the profile's search card from its modalities, active locations and services.

    Called by every write that changes them, inside its transaction and after locking
    the profile: concurrent edits of one practitioner rebuild one after the other.
    """
    card = build_search_card(
        modalities=profile.modalities.only("id", "name", "slug"),
        active_locations=Location.objects.filter(practitioner=profile, is_active=True).only(
            "id", "city", "latitude", "longitude", "created_at"
        ),
        active_services=Service.objects.filter(practitioner=profile, is_active=True).only(
            "id", "price_amount", "currency", "mode"
        ),
    )
    PractitionerProfile.objects.filter(pk=profile.pk).update(search_card=card)
    profile.search_card = card


def _lock_profile(profile: PractitionerProfile) -> PractitionerProfile:
    # Serialises the practitioner's own concurrent edits (overlap checks, publishing, the
    # search card's rebuild).
    return PractitionerProfile.objects.select_for_update().get(pk=profile.pk)


def profile_missing_for_publication(*, profile: PractitionerProfile) -> list[str]:
    missing = []
    if not profile.display_name.strip():
        missing.append("display_name")
    if not profile.services.filter(is_active=True).exists():
        missing.append("active_service")
    if not profile.availability_rules.exists():
        missing.append("availability_rule")
    return missing


def _validate_profile_fields(fields: dict[str, Any]) -> None:
    if "reminder_offsets_minutes" in fields:
        fields["reminder_offsets_minutes"] = reminder_offsets_clean(
            fields["reminder_offsets_minutes"]
        )
    errors = {}
    if "languages" in fields:
        fields["languages"] = [str(code).lower() for code in fields["languages"]]
        bad = [c for c in fields["languages"] if c not in codes.LANGUAGE_CODES]
        if bad:
            errors["languages"] = [f"Not ISO 639-1 codes: {', '.join(map(str, bad))}."]
    if "timezone" in fields and fields["timezone"] not in codes.timezones():
        errors["timezone"] = [f"Unknown IANA time zone {fields['timezone']!r}."]
    if errors:
        raise ValidationError(errors)


# What the text index holds of a profile (directory.search_index), besides its modalities.
_INDEXED_FIELDS = frozenset({"display_name", "headline", "bio", "languages", "is_published"})


def profile_update(*, profile: PractitionerProfile, **fields: Any) -> PractitionerProfile:
    """Change profile fields; `modalities` is a list of slugs; publishing checks completeness
    and needs the practitioner's verified e-mail address (409 `email_unverified`)."""
    _validate_profile_fields(fields)
    modality_slugs = fields.pop("modalities", None)
    modalities = None
    if modality_slugs is not None:
        slugs = list(dict.fromkeys(modality_slugs))
        modalities = list(Modality.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {m.slug for m in modalities})
        if unknown:
            raise ValidationError({"modalities": [f"Unknown modalities: {', '.join(unknown)}."]})
    if "languages" in fields:
        fields["languages"] = list(dict.fromkeys(fields["languages"]))
    with transaction.atomic(durable=True):
        locked = _lock_profile(profile)
        if fields.get("is_published") and not locked.is_published:
            require_verified_email(locked.user)
        for name, value in fields.items():
            setattr(locked, name, value)
        if fields.get("is_published"):
            missing = profile_missing_for_publication(profile=locked)
            if missing:
                raise ProfileIncomplete(
                    f"To publish, the profile still needs: {', '.join(missing)}.",
                    extra={"missing": missing},
                )
        locked.save()
        if "is_published" in fields:
            _list_locations(locked)
        if modalities is not None:
            locked.modalities.set(modalities)
            search_card_refresh(profile=locked)
        if modalities is not None or _INDEXED_FIELDS.intersection(fields):
            search_document_refresh(profile=locked)
    return locked


# --- Locations -------------------------------------------------------------------

_ADDRESS_FIELDS = ("address_line", "city", "region", "postal_code", "country")


def _location_fields(fields: dict[str, Any], current: Location | None) -> dict[str, Any]:
    if "country" in fields:
        fields["country"] = (fields["country"] or "").upper()
        if fields["country"] and fields["country"] not in codes.country_codes():
            raise ValidationError({"country": ["Give an ISO 3166-1 alpha-2 country code."]})
    has_lat = fields.get("latitude") is not None
    has_lng = fields.get("longitude") is not None
    if has_lat != has_lng:
        raise ValidationError(
            {"latitude": ["Give both latitude and longitude, or neither to geocode the address."]}
        )
    address_changed = any(name in fields for name in _ADDRESS_FIELDS)
    if not has_lat and (current is None or address_changed):
        address = {
            name: fields.get(name, getattr(current, name, "") if current else "")
            for name in _ADDRESS_FIELDS
        }
        point = geocode_address(**address)
        fields["latitude"], fields["longitude"] = point.latitude, point.longitude
    if fields.get("latitude") is not None:
        point = Point(fields["latitude"], fields["longitude"]).rounded()
        fields["latitude"], fields["longitude"] = point.latitude, point.longitude
    return fields


def location_create(*, profile: PractitionerProfile, **fields: Any) -> Location:
    fields = _location_fields(fields, None)
    with transaction.atomic(durable=True):
        # Locked: a concurrent publish lists either this location or none it missed.
        locked = _lock_profile(profile)
        location = Location.objects.create(
            practitioner=locked, is_listed=locked.is_published, **fields
        )
        search_card_refresh(profile=locked)
    return location


def location_update(*, location: Location, **fields: Any) -> Location:
    if not location.is_active:
        raise Conflict("This location was deleted.", code="location_inactive")
    fields = _location_fields(fields, location)
    with transaction.atomic(durable=True):
        # Locked and re-read: geocoding ran outside the transaction, and a publish,
        # unpublish or delete meanwhile must not be written back from a stale copy.
        locked = _lock_profile(location.practitioner)
        location = Location.objects.select_for_update().get(pk=location.pk)
        if not location.is_active:
            raise Conflict("This location was deleted.", code="location_inactive")
        for name, value in fields.items():
            setattr(location, name, value)
        location.save(update_fields=list(fields))
        search_card_refresh(profile=locked)
    return location


def location_deactivate(*, location: Location) -> None:
    """DELETE of a location: deactivate it and what depends on it (see module docstring)."""
    with transaction.atomic(durable=True):
        locked = _lock_profile(location.practitioner)
        Location.objects.filter(pk=location.pk).update(is_active=False, is_listed=False)
        Service.objects.filter(location=location, is_active=True).update(is_active=False)
        AvailabilityRule.objects.filter(location=location).delete()
        photos_delete_of_location(location=location)
        search_card_refresh(profile=locked)


# --- Services --------------------------------------------------------------------


def _service_fields(
    profile: PractitionerProfile, fields: dict[str, Any], current: Service | None
) -> dict[str, Any]:
    if "price_amount" in fields or "currency" in fields or current is None:
        # The API sends both (`price`); every other caller is held to the same rules.
        price = money_clean(
            {
                "amount": fields.get("price_amount", getattr(current, "price_amount", None)),
                "currency": fields.get("currency", getattr(current, "currency", None)),
            }
        )
        fields["price_amount"], fields["currency"] = price.amount, price.currency
    errors: dict[str, list[str]] = {}
    mode = fields.get("mode", current.mode if current else ServiceMode.IN_PERSON)
    location = fields.get("location", current.location if current else None)
    is_active = fields.get("is_active", current.is_active if current else True)
    if mode == ServiceMode.ONLINE:
        if location is not None and "location" in fields:
            errors["location"] = ["An online service has no location."]
        fields["location"] = None
    elif location is None:
        errors["location"] = ["An in-person service needs one of your locations."]
    elif location.practitioner_id != profile.pk:
        errors["location"] = ["Unknown location."]
    elif not location.is_active and is_active:
        errors["location"] = ["This location was deleted; choose an active one."]
    if errors:
        raise ValidationError(errors)
    return fields


def _reread_location(fields: dict[str, Any]) -> dict[str, Any]:
    # The caller's copy may predate a deletion that committed before the profile lock.
    if fields.get("location") is not None:
        fields["location"] = Location.objects.get(pk=fields["location"].pk)
    return fields


def service_create(*, profile: PractitionerProfile, **fields: Any) -> Service:
    with transaction.atomic(durable=True):
        # Validated and written under the profile lock, which location deletion takes
        # too; the search card is rebuilt one edit at a time.
        locked = _lock_profile(profile)
        fields = _service_fields(locked, _reread_location(fields), None)
        service = Service.objects.create(practitioner=locked, **fields)
        search_card_refresh(profile=locked)
    return service


def service_update(*, service: Service, **fields: Any) -> Service:
    with transaction.atomic(durable=True):
        # Re-read under the lock: a deletion of the service or of its location meanwhile
        # must not be written back from a stale copy.
        locked = _lock_profile(service.practitioner)
        service = Service.objects.select_related("location").get(pk=service.pk)
        fields = _service_fields(locked, _reread_location(fields), service)
        for name, value in fields.items():
            setattr(service, name, value)
        service.save()
        search_card_refresh(profile=locked)
    return service


def service_deactivate(*, service: Service) -> None:
    """DELETE of a service: it stays for the bookings that point at it, inactive."""
    with transaction.atomic(durable=True):
        locked = _lock_profile(service.practitioner)
        Service.objects.filter(pk=service.pk).update(is_active=False)
        search_card_refresh(profile=locked)


# --- Weekly availability -------------------------------------------------------------


def _check_rule(
    profile: PractitionerProfile,
    *,
    weekday: int,
    start_minute: int,
    end_minute: int,
    location: Location | None,
    exclude_pk=None,
) -> None:
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": ["Give 0 (Monday) to 6 (Sunday)."]})
    if not 0 <= start_minute < end_minute <= MINUTES_PER_DAY:
        raise ValidationError({"end_time": ["end_time must be after start_time."]})
    if location is not None and (location.practitioner_id != profile.pk or not location.is_active):
        raise ValidationError({"location": ["Unknown location."]})
    overlapping = (
        AvailabilityRule.objects.filter(
            practitioner=profile,
            weekday=weekday,
            start_minute__lt=end_minute,
            end_minute__gt=start_minute,
        )
        .exclude(pk=exclude_pk)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "start_time": [
                    f"Overlaps the rule {minutes_to_hhmm(overlapping.start_minute)}-"
                    f"{minutes_to_hhmm(overlapping.end_minute)} on the same weekday."
                ]
            },
            code="overlap",
        )


def availability_rule_create(
    *,
    profile: PractitionerProfile,
    weekday: int,
    start_minute: int,
    end_minute: int,
    location: Location | None = None,
) -> AvailabilityRule:
    with transaction.atomic(durable=True):
        _lock_profile(profile)
        _check_rule(
            profile,
            weekday=weekday,
            start_minute=start_minute,
            end_minute=end_minute,
            location=location,
        )
        return AvailabilityRule.objects.create(
            practitioner=profile,
            weekday=weekday,
            start_minute=start_minute,
            end_minute=end_minute,
            location=location,
        )


def availability_rule_update(*, rule: AvailabilityRule, **fields: Any) -> AvailabilityRule:
    with transaction.atomic(durable=True):
        _lock_profile(rule.practitioner)
        for name, value in fields.items():
            setattr(rule, name, value)
        _check_rule(
            rule.practitioner,
            weekday=rule.weekday,
            start_minute=rule.start_minute,
            end_minute=rule.end_minute,
            location=rule.location,
            exclude_pk=rule.pk,
        )
        rule.save()
    return rule


def availability_rule_delete(*, rule: AvailabilityRule) -> None:
    with transaction.atomic(durable=True):
        rule.delete()


# --- Time off ------------------------------------------------------------------------


def _check_time_off(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": ["ends_at must be after starts_at."]})


def time_off_create(
    *, profile: PractitionerProfile, starts_at: dt.datetime, ends_at: dt.datetime, reason: str = ""
) -> TimeOff:
    _check_time_off(starts_at, ends_at)
    with transaction.atomic(durable=True):
        return TimeOff.objects.create(
            practitioner=profile, starts_at=starts_at, ends_at=ends_at, reason=reason
        )


def time_off_update(*, time_off: TimeOff, **fields: Any) -> TimeOff:
    _check_time_off(
        fields.get("starts_at", time_off.starts_at), fields.get("ends_at", time_off.ends_at)
    )
    with transaction.atomic(durable=True):
        for name, value in fields.items():
            setattr(time_off, name, value)
        time_off.save()
    return time_off


def time_off_delete(*, time_off: TimeOff) -> None:
    with transaction.atomic(durable=True):
        time_off.delete()
