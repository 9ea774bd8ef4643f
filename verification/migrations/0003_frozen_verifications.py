"""Install the triggers that freeze issued verifications, their standards and used marks."""

from django.db import migrations

from verification import freezing


def install(apps, schema_editor):
    freezing.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    freezing.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("verification", "0002_type_number_optional")]

    operations = [migrations.RunPython(install, uninstall)]
