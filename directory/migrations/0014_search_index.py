"""The text index's tables (directory.search_index), and what each database adds to them.

PostgreSQL: pg_trgm (a trusted contrib extension: the database owner may create it), the
weighted `tsvector` column of the documents with its GIN index, a trigram index on the
vocabulary's words. SQLite: the documents' lexemes as text columns with an external-content
FTS5 index over them, and an FTS5 trigram table over the vocabulary, both kept by
triggers (also when Django flushes the tables). None of it is a model field: a later
migration that rebuilds these tables on SQLite must recreate the columns and triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE directory_searchdocument ADD COLUMN document tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX directory_searchdocument_document_gin ON directory_searchdocument"
    " USING gin (document)",
    "CREATE INDEX directory_searchterm_word_trgm ON directory_searchterm"
    " USING gin (word gin_trgm_ops)",
    # The names alone (weight A), for suggestions by name: its own statistics too.
    "CREATE INDEX directory_searchdocument_names_gin ON directory_searchdocument"
    " USING gin (ts_filter(document, '{a}'))",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS directory_searchdocument_names_gin",
    "DROP INDEX IF EXISTS directory_searchterm_word_trgm",
    "DROP INDEX IF EXISTS directory_searchdocument_document_gin",
    "ALTER TABLE directory_searchdocument DROP COLUMN IF EXISTS document",
]

_FIELDS = ("name", "modalities", "headline", "bio")
_OLD = ", ".join(f"old.{field}" for field in _FIELDS)
_NEW = ", ".join(f"new.{field}" for field in _FIELDS)
SQLITE = [
    # The lexemes come analysed (directory.text), space-separated: per field, and all of them
    # padded with spaces in `terms` (what a search near a point matches word by word).
    *(
        f"ALTER TABLE directory_searchdocument ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
        for column in (*_FIELDS, "terms")
    ),
    # An external-content FTS5 index of those columns, kept by triggers; the tokenizer only
    # splits on the spaces.
    "CREATE VIRTUAL TABLE directory_searchdocument_fts USING fts5("
    "name, modalities, headline, bio, content = 'directory_searchdocument',"
    " content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')",
    "CREATE TRIGGER directory_searchdocument_fts_insert AFTER INSERT ON directory_searchdocument"
    " BEGIN INSERT INTO directory_searchdocument_fts (rowid, name, modalities, headline, bio)"
    f" VALUES (new.id, {_NEW}); END",
    "CREATE TRIGGER directory_searchdocument_fts_delete AFTER DELETE ON directory_searchdocument"
    " BEGIN INSERT INTO directory_searchdocument_fts"
    " (directory_searchdocument_fts, rowid, name, modalities, headline, bio)"
    f" VALUES ('delete', old.id, {_OLD}); END",
    "CREATE TRIGGER directory_searchdocument_fts_update AFTER UPDATE ON directory_searchdocument"
    " BEGIN INSERT INTO directory_searchdocument_fts"
    " (directory_searchdocument_fts, rowid, name, modalities, headline, bio)"
    f" VALUES ('delete', old.id, {_OLD});"
    " INSERT INTO directory_searchdocument_fts (rowid, name, modalities, headline, bio)"
    f" VALUES (new.id, {_NEW}); END",
    "CREATE VIRTUAL TABLE directory_searchterm_trigram USING fts5("
    "word, content = 'directory_searchterm', content_rowid = 'id', tokenize = 'trigram')",
    "CREATE TRIGGER directory_searchterm_trigram_insert AFTER INSERT ON directory_searchterm"
    " BEGIN INSERT INTO directory_searchterm_trigram (rowid, word) VALUES (new.id, new.word);"
    " END",
    "CREATE TRIGGER directory_searchterm_trigram_delete AFTER DELETE ON directory_searchterm"
    " BEGIN INSERT INTO directory_searchterm_trigram (directory_searchterm_trigram, rowid, word)"
    " VALUES ('delete', old.id, old.word); END",
    "CREATE TRIGGER directory_searchterm_trigram_update AFTER UPDATE OF word"
    " ON directory_searchterm BEGIN"
    " INSERT INTO directory_searchterm_trigram (directory_searchterm_trigram, rowid, word)"
    " VALUES ('delete', old.id, old.word);"
    " INSERT INTO directory_searchterm_trigram (rowid, word) VALUES (new.id, new.word); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS directory_searchterm_trigram_update",
    "DROP TRIGGER IF EXISTS directory_searchterm_trigram_delete",
    "DROP TRIGGER IF EXISTS directory_searchterm_trigram_insert",
    "DROP TABLE IF EXISTS directory_searchterm_trigram",
    "DROP TRIGGER IF EXISTS directory_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS directory_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS directory_searchdocument_fts_insert",
    "DROP TABLE IF EXISTS directory_searchdocument_fts",
    # The columns go with the table (a later step of the reversal drops it).
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, ()):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0013_location_accessibility"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "practitioner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_document",
                        to="directory.practitionerprofile",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("lexeme", models.CharField(max_length=64, unique=True)),
                ("word", models.CharField(db_index=True, max_length=64)),
                ("documents", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
