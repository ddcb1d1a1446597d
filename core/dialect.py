"""The few places SQLite and PostgreSQL spell SQL differently, for each app's `sql.py`.

Raw statements live in one `sql.py` per app; they take table and column names from
`Model._meta` and ask this module for the vendor-specific pieces, so a difference
between the two databases is written once.
"""

import sqlite3

from django.db import connections

# SQLite computes epoch seconds natively from 3.38 on, faster than strftime('%s').
_SQLITE_HAS_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def vendor(using: str = "default") -> str:
    """ "postgresql" or "sqlite"."""
    return connections[using].vendor


def epoch_seconds_sql(column: str, *, vendor: str) -> str:
    """A timestamp column as integer seconds since 1970 (UTC), for a raw statement."""
    if vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    if _SQLITE_HAS_UNIXEPOCH:
        return f"unixepoch({column})"
    # '%%' is the backend's escape for a literal '%' in a statement with parameters.
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def least_function(*, vendor: str) -> str:
    """The name of the two-argument minimum: SQLite's scalar MIN, PostgreSQL's LEAST."""
    return "MIN" if vendor == "sqlite" else "LEAST"
