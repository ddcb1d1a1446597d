"""The slot engine: weekly wall-clock rules + busy time + policy + now -> free slots in UTC.

Pure: no ORM, no clock. Callers pass `now` and plain data, so the engine can be
property-tested and benchmarked on its own.

Time arithmetic runs on integer seconds since the epoch. Wall-clock rule times are
converted with zoneinfo, one day at a time:

* a day whose UTC offset is the same at both midnights has no transition, so a
  wall-clock minute maps linearly to UTC (the fast path, nearly every day);
* on a transition day every candidate start is converted on its own: a wall time
  that does not exist (spring forward) yields no slot, and an ambiguous one (fall
  back) is taken once, at its first occurrence, so nothing is doubled.

A rule covers the instants from the first moment the clock shows its start until
the first moment it shows its end; `end_minute=1440` is the next local midnight.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    weekday: int  # Monday=0 .. Sunday=6, in the practitioner's zone
    start_minute: int  # minutes after local midnight
    end_minute: int  # may be 1440 (24:00)


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    duration_minutes: int
    interval_minutes: int | None = None  # None: the duration
    buffer_minutes: int = 0
    min_notice_minutes: int = 0
    max_advance_days: int = 90

    @property
    def step_minutes(self) -> int:
        return self.interval_minutes or self.duration_minutes


class Slot(NamedTuple):
    # A tuple rather than a frozen dataclass: a 62-day window builds hundreds of them.
    start: datetime
    end: datetime


def _ts(moment: datetime | int) -> int:
    # Callers may pass epoch seconds already (the selectors fetch them from SQL).
    if type(moment) is int:
        return moment
    return int(moment.timestamp())


def _dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _exists(naive: datetime, tz: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def _first_instant(naive: datetime, tz: ZoneInfo) -> int:
    """The first UTC second at which the local clock reads `naive` or later."""
    if _exists(naive, tz):
        return _ts(naive.replace(tzinfo=tz, fold=0))
    # In a gap the two folds bracket the transition; find it by bisection.
    a = _ts(naive.replace(tzinfo=tz, fold=1))
    b = _ts(naive.replace(tzinfo=tz, fold=0))
    lo, hi = min(a, b), max(a, b)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _dt(mid).astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def _merge(intervals: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def compute_slots(
    *,
    rules: Sequence[WeeklyRule],
    tz: ZoneInfo | str,
    date_from: date,
    date_to: date,
    policy: SlotPolicy,
    now: datetime,
    busy: Iterable[tuple[datetime | int, datetime | int]] = (),
    time_off: Iterable[tuple[datetime | int, datetime | int]] = (),
    limit: int | None = None,
) -> list[Slot]:
    """Free slots whose local start date lies in [date_from, date_to], sorted by start.

    `busy` intervals (existing bookings) are widened by the buffer on both sides;
    `time_off` is taken as it is. Both may be aware datetimes or epoch seconds. With
    `limit`, only the first `limit` slots are returned, and days after the one that
    reaches the limit are not computed.
    """
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    duration = policy.duration_minutes * 60
    step = policy.step_minutes * 60
    buffer = policy.buffer_minutes * 60
    earliest = _ts(now) + policy.min_notice_minutes * 60
    latest = _ts(now) + policy.max_advance_days * 86400

    # Skip days that cannot hold a slot at all (one day of slack either side).
    first_day = max(date_from, _dt(earliest).astimezone(tz).date() - _DAY)
    last_day = min(date_to, _dt(latest).astimezone(tz).date() + _DAY)
    if first_day > last_day or not rules:
        return []

    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)

    blocked_starts, blocked_ends = _merge(
        [(_ts(a) - buffer, _ts(b) + buffer) for a, b in busy]
        + [(_ts(a), _ts(b)) for a, b in time_off]
    )
    scan = _Scan(step, duration, earliest, latest, blocked_starts, blocked_ends)
    found: set[int] = set()
    day = first_day
    while day <= last_day:
        day_rules = by_weekday.get(day.weekday())
        if day_rules:
            midnight = datetime(day.year, day.month, day.day)
            next_midnight = midnight + _DAY
            off_a = midnight.replace(tzinfo=tz).utcoffset()
            off_b = next_midnight.replace(tzinfo=tz).utcoffset()
            if off_a == off_b and _exists(midnight, tz):
                base = _ts(midnight.replace(tzinfo=tz))
                for rule in day_rules:
                    _linear_rule(rule, base, scan, found)
            else:
                for rule in day_rules:
                    _transition_rule(rule, midnight, tz, scan, found)
        # Local days run in UTC order, so once a day completes the limit, later
        # days cannot hold an earlier slot.
        if limit is not None and len(found) >= limit:
            break
        day += _DAY

    starts = sorted(found)
    if limit is not None:
        starts = starts[:limit]
    return [Slot(_dt(s), _dt(s + duration)) for s in starts]


# No policy books further ahead than 730 days (max_advance_days); a day either side covers
# every time zone. Dates outside this horizon are bad input, not an empty answer: it also
# keeps datetime arithmetic far from year 1 and year 9999.
HORIZON_DAYS_BACK = 1
HORIZON_DAYS_AHEAD = 732


def horizon(today: date) -> tuple[date, date]:
    """The first and last day anyone can ask slots for."""
    return today - timedelta(days=HORIZON_DAYS_BACK), today + timedelta(days=HORIZON_DAYS_AHEAD)


def day_bounds(*, day_from: date, day_to: date, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
    """UTC instants from local midnight of day_from to local midnight after day_to."""
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    start = _first_instant(datetime(day_from.year, day_from.month, day_from.day), tz)
    after = day_to + _DAY
    end = _first_instant(datetime(after.year, after.month, after.day), tz)
    return _dt(start), _dt(end)


class _Scan(NamedTuple):
    """What every rule of a window is scanned with: seconds, and the merged blocked time."""

    step: int
    duration: int
    earliest: int
    latest: int
    blocked_starts: list[int]
    blocked_ends: list[int]


def _free(s: int, e: int, blocked_starts: list[int], blocked_ends: list[int]) -> bool:
    # The first blocked interval ending after s is the only one that can overlap [s, e).
    i = bisect.bisect_right(blocked_ends, s)
    return i == len(blocked_ends) or blocked_starts[i] >= e


def _linear_rule(rule, base: int, scan: _Scan, found: set[int]) -> None:
    """A day without a UTC offset change: wall-clock minutes map linearly to UTC."""
    step, duration, earliest, latest, blocked_starts, blocked_ends = scan
    n_blocked = len(blocked_ends)
    rule_start = base + rule.start_minute * 60
    last = min(base + rule.end_minute * 60 - duration, latest)
    s = rule_start
    if s < earliest:
        s += -(-(earliest - s) // step) * step  # first grid start at or after `earliest`
    if s > last:
        return
    # Starts ascend, so one pointer walks the blocked intervals alongside them.
    i = bisect.bisect_right(blocked_ends, s)
    while s <= last:
        while i < n_blocked and blocked_ends[i] <= s:
            i += 1
        if i == n_blocked or blocked_starts[i] >= s + duration:
            found.add(s)
        s += step


def _transition_rule(rule, midnight: datetime, tz: ZoneInfo, scan: _Scan, found: set[int]) -> None:
    """A DST day: convert each wall-clock start on its own (gaps skipped, folds taken once)."""
    step, duration, earliest, latest, blocked_starts, blocked_ends = scan
    rule_start = _first_instant(midnight + timedelta(minutes=rule.start_minute), tz)
    rule_end = _first_instant(midnight + timedelta(minutes=rule.end_minute), tz)
    for minute in range(rule.start_minute, rule.end_minute, step // 60):
        wall = midnight + timedelta(minutes=minute)
        if not _exists(wall, tz):
            continue
        s = _ts(wall.replace(tzinfo=tz, fold=0))
        e = s + duration
        if e > rule_end or s > latest:
            break
        if s >= rule_start and s >= earliest and _free(s, e, blocked_starts, blocked_ends):
            found.add(s)
