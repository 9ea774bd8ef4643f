from django.db import migrations, models

from certificates import freezing


def install(apps, schema_editor):
    freezing.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    freezing.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    """Every certificate has its token now: required, and issued rows frozen again."""

    dependencies = [("certificates", "0007_tokens_of_issued_certificates")]

    operations = [
        migrations.AlterField(
            model_name="certificate",
            name="token",
            field=models.CharField(
                help_text="The unguessable key of the public verification page, printed as a QR code.",
                max_length=64,
                unique=True,
                verbose_name="verification token",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcertificate",
            name="token",
            field=models.CharField(
                db_index=True,
                help_text="The unguessable key of the public verification page, printed as a QR code.",
                max_length=64,
                verbose_name="verification token",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
