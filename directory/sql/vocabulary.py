"""Raw SQL of the text index's vocabulary (directory.search_index keeps it,
directory.search_text looks words up): lexemes, the word each came from, and in how many
documents each is. PostgreSQL finds similar words with pg_trgm, SQLite with an FTS5
trigram table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection, connections

from directory.sql.schema import _T, DOCUMENT_VECTOR, DOCUMENTS, DOCUMENTS_FTS, TERMS, TERMS_TRIGRAM


def _cursor(using: str):
    return connections[using].cursor()


def terms_change(changes: Mapping[str, tuple[str, int]], *, using: str = "default") -> None:
    """Add `delta` to each lexeme's document count ({lexeme: (word, delta)}), creating the
    lexemes new to the vocabulary. In lexeme order, so that concurrent edits lock the rows
    they share in one order."""
    rows = sorted((lexeme, word, delta) for lexeme, (word, delta) in changes.items() if delta)
    if not rows:
        return
    added = [(lexeme, word, delta) for lexeme, word, delta in rows if delta > 0]
    removed = [(delta, lexeme) for lexeme, _, delta in rows if delta < 0]
    with _cursor(using) as cursor:
        if added:
            cursor.executemany(
                f"INSERT INTO {TERMS} ({_T.lexeme}, {_T.word}, {_T.documents}) VALUES (%s, %s, %s)"
                f" ON CONFLICT ({_T.lexeme}) DO UPDATE"
                f" SET {_T.documents} = {TERMS}.{_T.documents} + excluded.{_T.documents}",
                added,
            )
        if removed:
            cursor.executemany(
                f"UPDATE {TERMS} SET {_T.documents} = {_T.documents} + %s WHERE {_T.lexeme} = %s",
                removed,
            )


def terms_recount(*, using: str = "default") -> None:
    """Set every lexeme's document count from the index itself (after a rebuild)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {TERMS} t SET {_T.documents} = COALESCE(s.ndoc, 0) FROM {TERMS} t2"
                f" LEFT JOIN ts_stat('SELECT {DOCUMENT_VECTOR} FROM {DOCUMENTS}') s"
                f" ON s.word = t2.{_T.lexeme} WHERE t2.{_T.id} = t.{_T.id}"
            )
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{DOCUMENTS_FTS}_vocab"
            f" USING fts5vocab(main, {DOCUMENTS_FTS}, 'row')"
        )
        cursor.execute(
            f"UPDATE {TERMS} SET {_T.documents} = COALESCE((SELECT v.doc FROM"
            f" temp.{DOCUMENTS_FTS}_vocab v WHERE v.term = {TERMS}.{_T.lexeme}), 0)"
        )


def terms_known(lexemes: Iterable[str]) -> set[str]:
    """Those of `lexemes` that some indexed document holds."""
    items = sorted(set(lexemes))
    if not items:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_T.lexeme} FROM {TERMS} WHERE {_T.documents} > 0"
            f" AND {_T.lexeme} IN ({', '.join(['%s'] * len(items))})",
            items,
        )
        return {row[0] for row in cursor.fetchall()}


def terms_with_prefix(prefix: str, *, limit: int) -> list[tuple[str, str, int]]:
    """(lexeme, word, documents) of the words starting with `prefix`, most frequent first."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    with connection.cursor() as cursor:
        # A range on the unique index (LIKE would not use it on SQLite). PostgreSQL
        # compares by its collation there, so the prefix is checked with LIKE as well.
        cursor.execute(
            f"SELECT {_T.lexeme}, {_T.word}, {_T.documents} FROM {TERMS}"
            f" WHERE {_T.word} >= %s AND {_T.word} < %s AND {_T.documents} > 0"
            f" ORDER BY {_T.documents} DESC, {_T.word} LIMIT %s",
            [prefix, upper, limit],
        )
        return [row for row in cursor.fetchall() if row[1].startswith(prefix)]


def terms_similar_candidates(word: str, *, limit: int) -> list[tuple[str, str, int]]:
    """(lexeme, word, documents) of vocabulary words sharing trigrams with `word`: the
    candidates a correction chooses from (by `directory.text.similarity`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # `%` is pg_trgm's similarity operator (at least 0.3), served by the trgm index.
            cursor.execute(
                f"SELECT {_T.lexeme}, {_T.word}, {_T.documents} FROM {TERMS}"
                f" WHERE {_T.word} %% %s AND {_T.documents} > 0"
                f" ORDER BY similarity({_T.word}, %s) DESC, {_T.documents} DESC LIMIT %s",
                [word, word, limit],
            )
            return cursor.fetchall()
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        if not grams:
            return []
        match = " OR ".join(f'"{gram}"' for gram in grams)
        cursor.execute(
            f"SELECT t.{_T.lexeme}, t.{_T.word}, t.{_T.documents} FROM {TERMS_TRIGRAM} g"
            f" JOIN {TERMS} t ON t.{_T.id} = g.rowid WHERE g.{TERMS_TRIGRAM} MATCH %s"
            f" AND t.{_T.documents} > 0 ORDER BY g.rank LIMIT %s",
            [match, limit],
        )
        return cursor.fetchall()
