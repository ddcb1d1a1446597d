"""Raw SQL of the text index: documents, the vocabulary, and the pieces of the search
statement that match and rank text (directory.search_index writes, directory.search reads).

PostgreSQL keeps each document as a weighted `tsvector` in `DOCUMENTS.document` (GIN) and
finds similar words with pg_trgm; SQLite keeps an FTS5 table with one column per field
and an FTS5 trigram table over the vocabulary. Both get their lexemes from
`directory.text`, so the SQL only stores and compares them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection, connections

from directory.models import SearchDocument
from directory.sql.schema import (
    _D,
    _P,
    DOCUMENT_VECTOR,
    DOCUMENTS,
    DOCUMENTS_FTS,
    P,
)
from directory.text import FIELDS, Document, TextQuery

_FIELD_NAMES = [field for field, _, _ in FIELDS]
# PostgreSQL: the name lexemes of a document, the expression of an index of their own.
NAMES_VECTOR = f"ts_filter(d.{DOCUMENT_VECTOR}, '{{a}}')"


def _cursor(using: str):
    return connections[using].cursor()


def _prep_id(pk, conn):
    return SearchDocument._meta.get_field("practitioner").get_db_prep_value(pk, conn)


# --- Documents ----------------------------------------------------------------------


def document_lexemes(practitioner_id, *, using: str = "default") -> set[str] | None:
    """The lexemes indexed for a practitioner, or None when it has no document."""
    conn = connections[using]
    pk = _prep_id(practitioner_id, conn)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"SELECT tsvector_to_array({DOCUMENT_VECTOR}) FROM {DOCUMENTS}"
                f" WHERE {_D.practitioner} = %s",
                [pk],
            )
            row = cursor.fetchone()
            return None if row is None else set(row[0])
        cursor.execute(f"SELECT terms FROM {DOCUMENTS} WHERE {_D.practitioner} = %s", [pk])
        row = cursor.fetchone()
        return None if row is None else set(row[0].split())


def documents_lexemes(practitioner_ids: list, *, using: str = "default") -> dict:
    """practitioner id -> indexed lexemes, for those of `practitioner_ids` with a document."""
    conn = connections[using]
    if not practitioner_ids:
        return {}
    to_python = SearchDocument._meta.get_field("practitioner").target_field.to_python
    marks = ", ".join(["%s"] * len(practitioner_ids))
    params = [_prep_id(pk, conn) for pk in practitioner_ids]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"SELECT {_D.practitioner}, tsvector_to_array({DOCUMENT_VECTOR}) FROM {DOCUMENTS}"
                f" WHERE {_D.practitioner} IN ({marks})",
                params,
            )
            return {to_python(pk): set(items) for pk, items in cursor.fetchall()}
        cursor.execute(
            f"SELECT {_D.practitioner}, terms FROM {DOCUMENTS}"
            f" WHERE {_D.practitioner} IN ({marks})",
            params,
        )
        return {to_python(pk): set(terms.split()) for pk, terms in cursor.fetchall()}


def documents_delete(practitioner_ids: list, *, using: str = "default") -> None:
    conn = connections[using]
    if not practitioner_ids:
        return
    marks = ", ".join(["%s"] * len(practitioner_ids))
    params = [_prep_id(pk, conn) for pk in practitioner_ids]
    # On SQLite a trigger takes the document out of FTS5 (migration 0012).
    with conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DOCUMENTS} WHERE {_D.practitioner} IN ({marks})", params)


def documents_insert(documents: Mapping, *, using: str = "default") -> None:
    """Index {practitioner id: Document} for practitioners without a document yet (COPY
    on PostgreSQL)."""
    if not documents:
        return
    conn = connections[using]
    if conn.vendor == "postgresql":
        column = SearchDocument._meta.get_field("practitioner").column
        with (
            conn.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {DOCUMENTS} ({column}, {DOCUMENT_VECTOR}) FROM STDIN"
            ) as copy,
        ):
            for pk, document in documents.items():
                copy.write_row([pk, document.tsvector()])
        return
    # Triggers index the columns in FTS5 (migration 0012).
    columns = ", ".join([_D.practitioner, *_FIELD_NAMES, "terms"])
    rows = [(_prep_id(pk, conn), *_sqlite_columns(doc)) for pk, doc in documents.items()]
    with conn.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DOCUMENTS} ({columns}) VALUES ({', '.join(['%s'] * 6)})", rows
        )


def _sqlite_columns(document: Document) -> tuple[str, ...]:
    """SQLite's columns of a document: the fields' lexemes, then all of them padded."""
    fields = [document.field_text(name) for name in _FIELD_NAMES]
    return (*fields, f" {' '.join(sorted(document.lexemes()))} ")


def documents_update(documents: Mapping, *, using: str = "default") -> None:
    """Re-index {practitioner id: Document} of practitioners that have a document."""
    if not documents:
        return
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.executemany(
                f"UPDATE {DOCUMENTS} SET {DOCUMENT_VECTOR} = %s::tsvector"
                f" WHERE {_D.practitioner} = %s",
                [(doc.tsvector(), _prep_id(pk, conn)) for pk, doc in documents.items()],
            )
            return
        sets = ", ".join(f"{name} = %s" for name in (*_FIELD_NAMES, "terms"))
        cursor.executemany(
            f"UPDATE {DOCUMENTS} SET {sets} WHERE {_D.practitioner} = %s",
            [(*_sqlite_columns(doc), _prep_id(pk, conn)) for pk, doc in documents.items()],
        )


# --- Pieces of the search statement -------------------------------------------------------


def name_match_ids(query: TextQuery, *, limit: int) -> list:
    """Up to `limit` practitioners (ids, in no order) whose name matches `query`, without a
    point (suggestions). On PostgreSQL the matching is materialized apart from the LIMIT:
    with it the planner prefers a scan that stops at the first matches, which reads the
    whole table when there are none."""
    match, params = text_match_sql(query, vendor=connection.vendor, driving=True)
    if connection.vendor == "postgresql":
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.{_D.practitioner} AS id FROM {DOCUMENTS} d"
            f" WHERE {match}) SELECT id FROM m LIMIT %s"
        )
    else:
        sql = (
            f"SELECT d.{_D.practitioner} FROM {DOCUMENTS_FTS} f"
            f" JOIN {DOCUMENTS} d ON d.{_D.id} = f.rowid WHERE {match} LIMIT %s"
        )
    to_python = SearchDocument._meta.get_field("practitioner").target_field.to_python
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [to_python(row[0]) for row in cursor.fetchall()]


def text_source_sql(*, vendor: str, with_profile: bool) -> str:
    """The tables of a search the text index drives: the matching documents `d` (on SQLite
    their FTS5 rows `f` first), and with `with_profile` their profiles."""
    if vendor == "sqlite":
        source = f"{DOCUMENTS_FTS} f JOIN {DOCUMENTS} d ON d.{_D.id} = f.rowid"
    else:
        source = f"{DOCUMENTS} d"
    if with_profile:
        source += f" JOIN {P} ON {P}.{_P.id} = d.{_D.practitioner}"
    return source


def text_join_sql(practitioner_sql: str, *, vendor: str) -> str:
    """The join making the document `d` of `practitioner_sql`."""
    return f" JOIN {DOCUMENTS} d ON d.{_D.practitioner} = {practitioner_sql}"


def text_match_sql(query: TextQuery, *, vendor: str, driving: bool) -> tuple[str, list]:
    """The condition that the document matches every term of `query`.

    On SQLite, FTS5 matches where the index drives (`driving`, its rows `f`); a search near
    a point checks its few candidates' words in `d.terms` instead: one FTS5 query per
    candidate cost several times more. Both match whole lexemes, or their starts for a
    prefix term.
    """
    if not query.terms:
        return "1 = 0", []  # a query of punctuation alone
    if vendor == "postgresql":
        if query.names_only:
            # The names' own GIN index (migration 0012), with statistics of its own: the
            # weight of a lexeme is not in the document's index.
            return NAMES_VECTOR + " @@ %s::tsquery", [TextQuery(query.terms).tsquery()]
        return f"d.{DOCUMENT_VECTOR} @@ %s::tsquery", [query.tsquery()]
    if driving:
        return f"f.{DOCUMENTS_FTS} MATCH %s", [query.fts5_match()]
    column = "(' ' || d.name || ' ')" if query.names_only else "d.terms"
    conditions, params = [], []
    for term in query.terms:
        conditions.append(" OR ".join([f"instr({column}, %s) > 0"] * len(term.lexemes)))
        params += [f" {item}" if term.prefix else f" {item} " for item in term.lexemes]
    return " AND ".join(f"({condition})" for condition in conditions), params


def relevance_sql(query: TextQuery, *, vendor: str) -> tuple[str, list]:
    """The text relevance of the document, 0-1: per term the weight of the best field it is
    in (name 1, modalities 0.4, headline 0.2, bio 0.1), averaged over the terms."""
    parts, params = [], []
    if not query.terms:
        return "0.0", []
    for term in query.terms:
        cases = []
        for field, label, weight in FIELDS[:-1]:
            if vendor == "postgresql":
                cases.append(f"WHEN d.{DOCUMENT_VECTOR} @@ %s::tsquery THEN {weight}")
                params.append(TextQuery((term,)).tsquery(label=label))
            else:
                padded = f"(' ' || d.{field} || ' ')"
                found = " OR ".join([f"instr({padded}, %s) > 0"] * len(term.lexemes))
                cases.append(f"WHEN {found} THEN {weight}")
                params += [f" {item} " for item in term.lexemes]
        parts.append(f"(CASE {' '.join(cases)} ELSE {FIELDS[-1][2]} END)")
    return f"(({' + '.join(parts)}) / {len(query.terms)}.0)", params
