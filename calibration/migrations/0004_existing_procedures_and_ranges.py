"""Data that existed before procedures were versioned and instruments had ranges.

Each procedure becomes its approved version 1, in effect from its first use; each instrument
that has points gets one range from its own unit, resolution and range, and its points go there.
"""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def forward(apps, schema_editor):
    Procedure = apps.get_model("calibration", "Procedure")
    InstrumentRange = apps.get_model("calibration", "InstrumentRange")
    MeasurementPoint = apps.get_model("calibration", "MeasurementPoint")
    Calibration = apps.get_model("calibration", "Calibration")
    for procedure in Procedure.objects.all():
        first = Calibration.objects.filter(procedure=procedure).aggregate(on=Min("performed_on"))
        procedure.status = "approved"
        procedure.effective_on = first["on"] or timezone.localdate()
        procedure.save(update_fields=["status", "effective_on"])
    instruments = {}
    for point in MeasurementPoint.objects.select_related(
        "calibration__instrument", "calibration__procedure"
    ).order_by("pk"):
        instrument = point.calibration.instrument
        if instrument.pk not in instruments:
            instruments[instrument.pk] = InstrumentRange.objects.create(
                instrument=instrument,
                position=1,
                name=instrument.measuring_range or instrument.unit,
                procedure_code=point.calibration.procedure.code,
                unit=instrument.unit,
                resolution=instrument.resolution,
            )
        point.range = instruments[instrument.pk]
        point.save(update_fields=["range"])


class Migration(migrations.Migration):
    dependencies = [("calibration", "0003_procedures_ranges_signatures")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
