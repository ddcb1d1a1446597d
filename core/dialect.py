"""The few places SQLite and PostgreSQL spell SQL differently, for each app's `sql.py`.

Raw statements live in one `sql.py` per app; they take table and column names from
`Model._meta` and ask this module for the vendor-specific pieces, so a difference
between the two databases is written once.
"""

import json
import sqlite3

from django.db import connections

# SQLite computes epoch seconds natively from 3.38 on, faster than strftime('%s').
_SQLITE_HAS_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


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


def icontains_sql(column: str, *, vendor: str) -> str:
    """`column` contains the bound pattern of `contains_pattern`, ignoring case (as the ORM's
    `icontains`: SQLite's LIKE ignores ASCII case itself)."""
    if vendor == "postgresql":
        return f"UPPER({column}::text) LIKE UPPER(%s)"
    return f"{column} LIKE %s ESCAPE '\\'"


def contains_pattern(text: str) -> str:
    """The LIKE pattern matching `text` anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"


def json_array_contains_sql(column: str, *, vendor: str) -> str:
    """A JSON array column holds the bound string element (see `json_array_element_param`)."""
    if vendor == "postgresql":
        return f"{column} @> %s::jsonb"
    # SQLite has no JSON containment: the quoted element within the stored JSON text.
    return f"{column} LIKE %s ESCAPE '\\'"


def json_array_element_param(element: str, *, vendor: str) -> str:
    """The parameter of `json_array_contains_sql` for a string without quotes or escapes."""
    if vendor == "postgresql":
        return json.dumps([element])
    return contains_pattern(json.dumps(element))


def column_converters(fields, *, using: str = "default") -> list:
    """Per model field, a function from a raw column value to the field's Python value, as a
    QuerySet converts it (the backend's converters, then the field's), or None when the
    driver's value is already right. For rows of raw statements."""
    connection = connections[using]
    result = []
    for field in fields:
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        result.append(_chain(converters, column, connection) if converters else None)
    return result


def _chain(converters, column, connection):
    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def json_array_elements_sql(column: str, *, alias: str, vendor: str) -> tuple[str, str]:
    """A table source of the string elements of a JSON array column, to join after the
    table holding it, and the SQL of one element's value."""
    if vendor == "postgresql":
        return f"CROSS JOIN LATERAL jsonb_array_elements_text({column}) AS {alias}(value)", (
            f"{alias}.value"
        )
    return f"JOIN json_each({column}) AS {alias}", f"{alias}.value"
