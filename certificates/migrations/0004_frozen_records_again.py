from django.db import migrations

from certificates import freezing


def install(apps, schema_editor):
    freezing.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    freezing.uninstall_children(schema_editor.connection, ["calibration_signature"])


class Migration(migrations.Migration):
    """Calibration 0003–0005 rebuilt the points table (SQLite drops its triggers) and added
    signatures: install the frozen-record triggers again, signatures included."""

    dependencies = [
        ("certificates", "0003_frozen_records"),
        ("calibration", "0005_point_range_required"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
