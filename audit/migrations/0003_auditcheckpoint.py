"""Verified checkpoints of the audit chain (``audit_verify`` starts from the latest), append-only
on PostgreSQL like the events themselves."""

from django.db import migrations, models

CREATE = """
CREATE TRIGGER audit_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(unique=True, verbose_name="đến mục số")),
                ("hash", models.CharField(max_length=64, verbose_name="mã băm của mục đó")),
                ("verified_at", models.DateTimeField(verbose_name="kiểm tra lúc")),
                ("checked", models.PositiveBigIntegerField(verbose_name="số mục đã kiểm tra trong lần đó")),
                ("full", models.BooleanField(verbose_name="kiểm tra từ mục đầu tiên")),
                ("signature", models.CharField(max_length=64, verbose_name="chữ ký HMAC")),
            ],
            options={
                "verbose_name": "điểm kiểm tra chuỗi nhật ký",
                "verbose_name_plural": "điểm kiểm tra chuỗi nhật ký",
                "ordering": ["-seq"],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
