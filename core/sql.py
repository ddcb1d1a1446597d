"""Raw SQL the kernel offers every app: bulk loading rows of any model, and the database
write probe of /readyz.

Each app calls it for its own models only (an app's tables are written by that app).
"""

from django.db import connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder

# A readiness probe answers in about this long, never after the 20 s lock wait of requests.
PROBE_TIMEOUT_MS = 2000


def _insert_converter(field, conn):
    if isinstance(field, (models.UUIDField, models.ForeignKey)):
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        if isinstance(target, models.UUIDField) and not conn.features.has_native_uuid_field:
            return lambda v: None if v is None else v.hex
        return None
    if isinstance(field, (models.JSONField, models.DateTimeField, models.DecimalField)):
        return lambda v: field.get_db_prep_save(v, conn)
    return None


def bulk_insert(model: type[models.Model], rows: list[dict]) -> None:
    """Plain multi-row INSERTs (COPY on PostgreSQL) of rows keyed by field name: the ORM's
    per-value preparation costs more than SQLite."""
    if not rows:
        return
    conn = connections[router.db_for_write(model)]
    keys = list(rows[0])
    fields = [model._meta.get_field(name) for name in keys]
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    converters = [(key, _insert_converter(f, conn)) for key, f in zip(keys, fields, strict=True)]
    table = conn.ops.quote_name(model._meta.db_table)
    if conn.vendor == "postgresql":
        # COPY is several times faster than INSERT on PostgreSQL (1M practitioners).
        with (
            conn.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [convert(row[key]) if convert else row[key] for key, convert in converters]
                )
        return
    # SQLite allows 32766 bound parameters per statement, PostgreSQL 65535.
    per_statement = max(1, min(1000, 30000 // len(fields)))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with conn.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                for key, convert in converters:
                    params.append(convert(row[key]) if convert else row[key])
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row_sql] * len(chunk))
            cursor.execute(sql, params)


def database_write_refusal(using: str = "default") -> str | None:
    """Why the database would refuse a write on this connection now; None if it accepts one.

    PostgreSQL: a standby (in recovery) or read-only transactions. SQLite: a real write
    (a no-op UPDATE of one migration row) in a transaction that is rolled back, so a
    read-only file or a write lock held elsewhere shows. Errors (unreachable, locked for
    longer than PROBE_TIMEOUT_MS) propagate.
    """
    conn = connections[using]
    if conn.vendor == "postgresql":
        with transaction.atomic(using=using), conn.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {PROBE_TIMEOUT_MS}")
            cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
            in_recovery, read_only = cursor.fetchone()
        if in_recovery:
            return "the server is a standby (in recovery)"
        if read_only == "on":
            return "transactions are read-only"
        return None
    table = conn.ops.quote_name(MigrationRecorder.Migration._meta.db_table)
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            (busy_timeout,) = cursor.fetchone()
            cursor.execute(f"PRAGMA busy_timeout = {PROBE_TIMEOUT_MS}")
        try:
            with transaction.atomic(using=using):
                cursor.execute(
                    f"UPDATE {table} SET id = id WHERE id = (SELECT MIN(id) FROM {table})"
                )
                transaction.set_rollback(True, using=using)
        finally:
            if conn.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
    return None
