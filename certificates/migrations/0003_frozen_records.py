from django.db import migrations

from certificates import freezing


def install(apps, schema_editor):
    freezing.install(schema_editor.connection, freezing.FIRST_CHILDREN)


def uninstall(apps, schema_editor):
    freezing.uninstall(schema_editor.connection, freezing.FIRST_CHILDREN)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_initial"),
        ("calibration", "0002_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
