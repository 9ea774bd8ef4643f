from django.db import migrations, models

from certificates import freezing


def set_aside(apps, schema_editor):
    freezing.uninstall(schema_editor.connection)


def put_back(apps, schema_editor):
    freezing.install(schema_editor.connection)


class Migration(migrations.Migration):
    """The DCC stored with each certificate issued from now on; those already issued keep their
    bytes and have none (their DCC is written from the frozen data when asked). The frozen-record
    triggers are set aside around the new column, as SQLite may rebuild the table."""

    dependencies = [("certificates", "0008_token_required")]

    operations = [
        migrations.RunPython(set_aside, put_back),
        migrations.AddField(
            model_name="certificate",
            name="dcc",
            field=models.BinaryField(
                editable=False,
                help_text="The Digital Calibration Certificate written at issue and embedded in the PDF; empty for certificates issued before the DCC was embedded.",
                null=True,
                verbose_name="DCC XML",
            ),
        ),
        migrations.RunPython(put_back, set_aside),
    ]
