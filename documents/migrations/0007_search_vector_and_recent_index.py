"""Scale: a stored search vector, and an index in the lists' order.

- ``search_vector``: the tsvector of the folded ``search_text``, kept by PostgreSQL itself (a
  generated column), with the GIN index on it instead of on the expression. Filtering on the
  expression index made PostgreSQL recompute the vector of every row it then read (~50 µs
  each); with 500,000 documents a frequent word cost seconds. Not a model field: Django never
  writes it, PostgreSQL does. SQLite keeps its substring search.
- ``documents_recent``: (issued_on, created_at, id) descending, the lists' order, so a page
  of the newest documents is read from the index instead of sorting every visible row.
"""

from django.db import migrations, models

VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "regexp_replace(COALESCE(search_text, ''), '[^a-z0-9]+', ' ', 'g'))"
)
CREATE = [
    "ALTER TABLE documents_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({VECTOR}) STORED",
    "CREATE INDEX IF NOT EXISTS documents_document_search_vector_gin "
    "ON documents_document USING gin (search_vector)",
    "DROP INDEX IF EXISTS documents_document_search_gin",
]
DROP = [
    "CREATE INDEX IF NOT EXISTS documents_document_search_gin ON documents_document "
    f"USING gin ({VECTOR})",
    "DROP INDEX IF EXISTS documents_document_search_vector_gin",
    "ALTER TABLE documents_document DROP COLUMN IF EXISTS search_vector",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_active_content")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                fields=["-issued_on", "-created_at", "-id"], name="documents_recent"
            ),
        ),
    ]
