"""Bookings' raw SQL, in one place: table and column names from `_meta`, the
SQLite/PostgreSQL differences from core.dialect, "active" from bookings.models."""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import connection
from django.db.models import Func, IntegerField

from bookings.models import FIRM_STATUSES, HOLD_STATUS, Booking
from core.dialect import epoch_seconds_sql
from directory.models import AvailabilityRule, PractitionerProfile, TimeOff


class EpochSeconds(Func):
    """A timestamp as integer seconds since 1970 (UTC), computed in SQL.

    Hundreds of busy intervals then reach the engine without Python parsing a
    datetime for each: on SQLite that parsing cost more than the engine itself.
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # The template is %-formatted once more than a raw statement: '%%%%' ends as '%'.
        template = epoch_seconds_sql("%(expressions)s", vendor="sqlite").replace("%%", "%%%%")
        return self.as_sql(compiler, connection, template=template)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = epoch_seconds_sql("%(expressions)s", vendor="postgresql")
        return self.as_sql(compiler, connection, template=template)


def _column(model, field: str) -> str:
    return model._meta.get_field(field).column


def active_bookings_sql(*, now: datetime) -> tuple[str, list]:
    """bookings.models.active_bookings_q as a condition on the booking table's columns."""
    status, hold = _column(Booking, "status"), _column(Booking, "hold_expires_at")
    firm = ", ".join(["%s"] * len(FIRM_STATUSES))
    sql = f"({status} IN ({firm}) OR ({status} = %s AND {hold} > %s))"
    params = [*FIRM_STATUSES, HOLD_STATUS, connection.ops.adapt_datetimefield_value(now)]
    return sql, params


def schedule_rows(
    *, practitioner_id, start: datetime, end: datetime, now: datetime, exclude_booking_id=None
) -> list[tuple]:
    """Rows (kind, a, b, c, location_id) of a practitioner's schedule, in one statement.

    kind 0: a weekly rule (weekday, start_minute, end_minute, location_id);
    kind 1: time off overlapping [start, end) as epoch seconds (start, end);
    kind 2: an active booking overlapping [start, end): epoch seconds (blocked_start,
    blocked_end). Raw SQL: building the three equivalent ORM queries cost more than
    running them, and the slots endpoint and every booking attempt read these.
    """
    ops = connection.ops
    epoch = functools.partial(epoch_seconds_sql, vendor=connection.vendor)
    rule, off = AvailabilityRule, TimeOff
    practitioner = PractitionerProfile._meta.pk.get_db_prep_value(practitioner_id, connection)
    start_db, end_db = ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)
    active, active_params = active_bookings_sql(now=now)
    blocked_start, blocked_end = _column(Booking, "blocked_start"), _column(Booking, "blocked_end")
    starts_at, ends_at = _column(off, "starts_at"), _column(off, "ends_at")
    sql = (
        f"SELECT 0, {_column(rule, 'weekday')}, {_column(rule, 'start_minute')},"
        f" {_column(rule, 'end_minute')}, {_column(rule, 'location')}"
        f" FROM {rule._meta.db_table} WHERE {_column(rule, 'practitioner')} = %s"
        f" UNION ALL SELECT 1, {epoch(starts_at)}, {epoch(ends_at)}, NULL, NULL"
        f" FROM {off._meta.db_table}"
        f" WHERE {_column(off, 'practitioner')} = %s AND {starts_at} < %s AND {ends_at} > %s"
        f" UNION ALL SELECT 2, {epoch(blocked_start)}, {epoch(blocked_end)}, NULL, NULL"
        f" FROM {Booking._meta.db_table}"
        f" WHERE {_column(Booking, 'practitioner')} = %s"
        f" AND {blocked_start} < %s AND {blocked_end} > %s AND {active}"
    )
    params = [practitioner, practitioner, end_db, start_db, practitioner, end_db, start_db]
    params += active_params
    if exclude_booking_id is not None:
        sql += f" AND {Booking._meta.pk.column} <> %s"
        params.append(Booking._meta.pk.get_db_prep_value(exclude_booking_id, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
