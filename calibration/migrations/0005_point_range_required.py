import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calibration", "0004_existing_procedures_and_ranges")]

    operations = [
        migrations.AlterField(
            model_name="measurementpoint",
            name="range",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="measurements",
                to="calibration.instrumentrange",
                verbose_name="range or channel",
            ),
        ),
    ]
