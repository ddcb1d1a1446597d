"""Laws of the pure slot engine (hypothesis) and DST examples."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.slots import Slot, SlotPolicy, WeeklyRule, compute_slots, day_bounds

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
BASE = datetime(2026, 3, 1, tzinfo=UTC)  # spans the March DST changes of both hemispheres


@st.composite
def rules(draw):
    weekday = draw(st.integers(0, 6))
    start = draw(st.integers(0, 1439))
    end = draw(st.integers(start + 1, 1440))
    return WeeklyRule(weekday, start, end)


@st.composite
def intervals(draw):
    start = BASE + timedelta(minutes=draw(st.integers(-1440, 20 * 1440)))
    return start, start + timedelta(minutes=draw(st.integers(1, 600)))


@st.composite
def scenarios(draw):
    tz = draw(st.sampled_from(ZONES))
    policy = SlotPolicy(
        duration_minutes=draw(st.integers(15, 240)),
        interval_minutes=draw(st.none() | st.integers(5, 480)),
        buffer_minutes=draw(st.integers(0, 120)),
        min_notice_minutes=draw(st.integers(0, 3000)),
        max_advance_days=draw(st.integers(1, 20)),
    )
    now = BASE + timedelta(minutes=draw(st.integers(0, 10 * 1440)))
    first = date(2026, 3, 1) + timedelta(days=draw(st.integers(0, 10)))
    return {
        "rules": draw(st.lists(rules(), min_size=1, max_size=6)),
        "tz": tz,
        "date_from": first,
        "date_to": first + timedelta(days=draw(st.integers(0, 25))),
        "policy": policy,
        "now": now,
        "busy": draw(st.lists(intervals(), max_size=8)),
        "time_off": draw(st.lists(intervals(), max_size=3)),
    }


def _inside_some_rule(slot: Slot, scenario) -> bool:
    """Slot's wall-clock start lies in a rule of its local day and it ends by the rule's end."""
    tz = ZoneInfo(scenario["tz"])
    local = slot.start.astimezone(tz)
    midnight = datetime(local.year, local.month, local.day)
    for rule in scenario["rules"]:
        if rule.weekday != local.weekday():
            continue
        rule_start = (midnight + timedelta(minutes=rule.start_minute)).replace(tzinfo=tz)
        rule_end = (midnight + timedelta(minutes=rule.end_minute)).replace(tzinfo=tz)
        minute = local.hour * 60 + local.minute
        if (
            rule.start_minute <= minute < rule.end_minute
            and slot.end.timestamp()
            <= max(rule_end.timestamp(), rule_end.replace(fold=1).timestamp())
            and slot.start.timestamp()
            >= min(rule_start.timestamp(), rule_start.replace(fold=1).timestamp())
        ):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_engine_laws(scenario):
    slots = compute_slots(**scenario)
    policy = scenario["policy"]
    buffer = timedelta(minutes=policy.buffer_minutes)
    earliest = scenario["now"] + timedelta(minutes=policy.min_notice_minutes)
    latest = scenario["now"] + timedelta(days=policy.max_advance_days)
    window_start, window_end = day_bounds(
        day_from=scenario["date_from"], day_to=scenario["date_to"], tz=scenario["tz"]
    )

    assert slots == sorted(slots)
    assert len({s.start for s in slots}) == len(slots), "duplicate slot"
    for slot in slots:
        assert slot.start.tzinfo is not None and slot.start.utcoffset() == timedelta(0)
        assert slot.end - slot.start == timedelta(minutes=policy.duration_minutes)
        assert earliest <= slot.start <= latest
        assert window_start <= slot.start < window_end
        for b_start, b_end in scenario["busy"]:
            assert not (slot.start < b_end + buffer and b_start - buffer < slot.end)
        for t_start, t_end in scenario["time_off"]:
            assert not (slot.start < t_end and t_start < slot.end)
        assert _inside_some_rule(slot, scenario)
        # Never a wall-clock time that does not exist in the zone.
        local = slot.start.astimezone(ZoneInfo(scenario["tz"]))
        naive = local.replace(tzinfo=None)
        assert naive.replace(tzinfo=ZoneInfo(scenario["tz"])).astimezone(UTC) == slot.start


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.integers(1, 5))
def test_limit_gives_the_first_slots(scenario, limit):
    assert compute_slots(**scenario, limit=limit) == compute_slots(**scenario)[:limit]


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_busy_free_engine_offers_every_grid_start_a_naive_scan_finds(scenario):
    """Without busy time the engine agrees with a minute-by-minute wall-clock scan on plain days."""
    scenario = {**scenario, "busy": [], "time_off": [], "tz": "UTC"}
    policy = scenario["policy"]
    slots = {s.start for s in compute_slots(**scenario)}
    expected = set()
    day = scenario["date_from"]
    while day <= scenario["date_to"]:
        for rule in scenario["rules"]:
            if rule.weekday != day.weekday():
                continue
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            minute = rule.start_minute
            while minute + policy.duration_minutes <= rule.end_minute:
                start = midnight + timedelta(minutes=minute)
                notice = scenario["now"] + timedelta(minutes=policy.min_notice_minutes)
                if notice <= start <= scenario["now"] + timedelta(days=policy.max_advance_days):
                    expected.add(start)
                minute += policy.step_minutes
        day += timedelta(days=1)
    assert slots == expected


def _local(slots, tz):
    zone = ZoneInfo(tz)
    return [s.start.astimezone(zone).strftime("%H:%M%z") for s in slots]


def _day(tz, day, rule_hours, duration=60, interval=None):
    start, end = rule_hours
    return compute_slots(
        rules=[WeeklyRule(day.weekday(), start * 60, end * 60)],
        tz=tz,
        date_from=day,
        date_to=day,
        policy=SlotPolicy(duration_minutes=duration, interval_minutes=interval),
        now=datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=2),
    )


def test_new_york_spring_forward_skips_the_missing_hour():
    slots = _day("America/New_York", date(2026, 3, 8), (0, 5))
    # 02:00 does not exist that night: no slot there, and 01:00 EST runs to 03:00 EDT.
    assert _local(slots, "America/New_York") == [
        "00:00-0500",
        "01:00-0500",
        "03:00-0400",
        "04:00-0400",
    ]
    assert slots[1].end == slots[2].start


def test_new_york_fall_back_has_no_duplicate_and_no_overlap():
    slots = _day("America/New_York", date(2026, 11, 1), (0, 4), duration=30, interval=30)
    starts = [s.start for s in slots]
    assert len(starts) == len(set(starts))
    assert all(a.end <= b.start for a, b in itertools.pairwise(slots))
    assert _local(slots, "America/New_York") == [
        "00:00-0400",
        "00:30-0400",
        "01:00-0400",
        "01:30-0400",
        "02:00-0500",
        "02:30-0500",
        "03:00-0500",
        "03:30-0500",
    ]


def test_berlin_spring_forward_skips_the_missing_hour():
    slots = _day("Europe/Berlin", date(2026, 3, 29), (1, 5))
    assert _local(slots, "Europe/Berlin") == ["01:00+0100", "03:00+0200", "04:00+0200"]


def test_berlin_fall_back_takes_the_repeated_hour_once():
    slots = _day("Europe/Berlin", date(2026, 10, 25), (1, 5))
    assert _local(slots, "Europe/Berlin") == [
        "01:00+0200",
        "02:00+0200",
        "03:00+0100",
        "04:00+0100",
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(slots))


def test_rule_running_to_midnight_includes_the_last_hour():
    day = date(2026, 6, 1)
    slots = compute_slots(
        rules=[WeeklyRule(day.weekday(), 22 * 60, 1440)],
        tz="Europe/Berlin",
        date_from=day,
        date_to=day,
        policy=SlotPolicy(duration_minutes=60),
        now=datetime(2026, 5, 30, tzinfo=UTC),
    )
    assert _local(slots, "Europe/Berlin") == ["22:00+0200", "23:00+0200"]
    assert slots[-1].end == datetime(2026, 6, 1, 22, 0, tzinfo=UTC)


def test_rule_to_midnight_on_a_dst_day():
    # Berlin falls back at 03:00 on 2026-10-25; a rule from 22:00 to 24:00 still gives two slots.
    day = date(2026, 10, 25)
    assert len(_day("Europe/Berlin", day, (22, 24))) == 2


def test_buffer_notice_and_advance():
    day = date(2026, 6, 1)  # a Monday
    now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
    slots = compute_slots(
        rules=[WeeklyRule(0, 9 * 60, 17 * 60)],
        tz="Europe/Berlin",
        date_from=day,
        date_to=day + timedelta(days=7),
        policy=SlotPolicy(
            duration_minutes=60, buffer_minutes=30, min_notice_minutes=120, max_advance_days=1
        ),
        now=now,
        busy=[(datetime(2026, 6, 1, 11, 0, tzinfo=UTC), datetime(2026, 6, 1, 12, 0, tzinfo=UTC))],
    )
    local = _local(slots, "Europe/Berlin")
    # Notice excludes 09:00 and 10:00; the 13:00-14:00 booking with 30 min buffer blocks
    # 12:00 and 14:00 (12:00-13:00 ends inside the buffer, 14:00 starts inside it).
    assert local == ["11:00+0200", "15:00+0200", "16:00+0200"]
