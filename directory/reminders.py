"""The rule for a practitioner's reminder offsets (`reminder_offsets_minutes`).

Bookings read the offsets when a booking is confirmed or rescheduled and schedule one
reminder per offset; the bounds are also a database constraint on the profile.
"""

from __future__ import annotations

from directory.errors import ReminderOffsetsInvalid
from directory.models import (
    REMINDER_OFFSET_MAX_MINUTES,
    REMINDER_OFFSET_MIN_MINUTES,
    REMINDER_OFFSETS_MAX,
)


def reminder_offsets_clean(value) -> list[int]:
    """The offsets, largest first; ReminderOffsetsInvalid unless `value` is a list of at
    most 3 distinct integers (JSON integers: not 60.0, "60" or true)
    from 15 to 10080. An empty list turns reminders off."""
    if not isinstance(value, list):
        raise _invalid("Give a list of minutes, e.g. [1440, 120].")
    if len(value) > REMINDER_OFFSETS_MAX:
        raise _invalid(f"At most {REMINDER_OFFSETS_MAX} reminders.")
    offsets = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise _invalid(f"{item!r} is not a whole number of minutes.")
        if not REMINDER_OFFSET_MIN_MINUTES <= item <= REMINDER_OFFSET_MAX_MINUTES:
            raise _invalid(
                f"{item} is out of range: each reminder is {REMINDER_OFFSET_MIN_MINUTES} to "
                f"{REMINDER_OFFSET_MAX_MINUTES} minutes before the start."
            )
        offsets.append(item)
    if len(set(offsets)) != len(offsets):
        raise _invalid("Each reminder needs a different number of minutes.")
    return sorted(offsets, reverse=True)


def _invalid(reason: str) -> ReminderOffsetsInvalid:
    return ReminderOffsetsInvalid(
        f"{ReminderOffsetsInvalid.message} {reason}", fields={"reminder_offsets_minutes": [reason]}
    )
