from django.db import migrations

from standards import freezing


def install(apps, schema_editor):
    freezing.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    freezing.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("standards", "0002_register_incoming_checks_intervals")]

    operations = [migrations.RunPython(install, uninstall)]
