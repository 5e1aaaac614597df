"""Refuse UPDATE of versions and blobs at the database level.

A version is what gets signed and cited; its bytes and its link to them must never change. The
application never updates these rows; the triggers stop anyone else with write access too.
DELETE is left alone so that removing a document (admin only) and test flushes still work.
"""

from django.db import migrations

TABLES = ("documents_documentversion", "documents_blob")

SQLITE_CREATE = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is immutable: UPDATE refused'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS {table}_immutable;"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION documents_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: UPDATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_CREATE = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION documents_refuse_update();
"""
PG_DROP = "DROP TRIGGER IF EXISTS {table}_immutable ON {table};"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(PG_CREATE.format(table=table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_CREATE.format(table=table), params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(PG_DROP.format(table=table))
        schema_editor.execute("DROP FUNCTION IF EXISTS documents_refuse_update();")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
