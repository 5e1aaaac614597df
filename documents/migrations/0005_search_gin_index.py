"""A GIN index for full-text search over the folded ``search_text``, on PostgreSQL only.

The expression must be exactly what ``documents.selectors`` filters on (``FTS_VECTOR_SQL``,
copied here because migrations must not change when the code does), or PostgreSQL will not use
the index. SQLite has no GIN indexes and keeps its substring search.
"""

from django.db import migrations

INDEX = "documents_document_search_gin"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON documents_document "
    "USING gin (to_tsvector('simple'::regconfig, "
    "regexp_replace(COALESCE(search_text, ''), '[^a-z0-9]+', ' ', 'g')))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0004_document_note"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
