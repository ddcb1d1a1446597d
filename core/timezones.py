"""Time zones at the API's edge: IANA names, instants that must carry an offset, and local
wall-clock times turned into instants without guessing across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import ApplicationError


class TimezoneInvalid(ApplicationError):
    code = "timezone_invalid"
    message = "Give an IANA time zone name such as Europe/Berlin or America/New_York."


class TimezoneRequired(ApplicationError):
    code = "timezone_required"
    message = (
        "Give the time with its UTC offset or Z, e.g. 2030-03-31T10:00:00+02:00 or "
        "2030-03-31T08:00:00Z; a time without one is ambiguous."
    )


class LocalTimeNonexistent(ApplicationError):
    code = "local_time_nonexistent"
    message = (
        "This wall-clock time does not exist in the zone (the clocks skip it when summer "
        "time starts); give a time after the change, or one with a UTC offset."
    )


class LocalTimeAmbiguous(ApplicationError):
    code = "local_time_ambiguous"
    message = (
        "This wall-clock time happens twice in the zone (the clocks go back); give it with "
        "its UTC offset to say which one is meant."
    )


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_get(name: str, *, field: str = "tz") -> ZoneInfo:
    """The zone of an IANA name; TimezoneInvalid for anything else ("CET+1", "", a path)."""
    if not isinstance(name, str) or name not in _zone_names():
        raise TimezoneInvalid(fields={field: [f"{name!r} is not an IANA time zone name."]})
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimezoneInvalid(fields={field: [f"{name!r} is not an IANA time zone name."]}) from exc


def wall_time_in_zone(naive: datetime, zone: ZoneInfo, *, field: str) -> datetime:
    """The instant at which the clocks of `zone` show `naive`.

    A time skipped by a change to summer time, or shown twice when the clocks go back,
    is refused: a guess would put the interval an hour off.
    """
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise LocalTimeNonexistent(
            fields={field: [f"{naive.isoformat()} does not exist in {zone.key}."]}
        )
    if early.utcoffset() != late.utcoffset():
        raise LocalTimeAmbiguous(
            fields={field: [f"{naive.isoformat()} happens twice in {zone.key}."]}
        )
    return early
