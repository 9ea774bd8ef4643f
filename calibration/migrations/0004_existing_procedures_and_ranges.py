"""Data that existed before procedures were versioned and instruments had ranges.

Each procedure becomes its approved version 1, in effect from its first use; each instrument
that has points gets one range per procedure it was calibrated by, from its own unit,
resolution and range, and those points go there.

Setting the range of an issued calibration's points is the one change made to frozen rows: 0003
set the frozen-record triggers aside, and certificates 0004 installs them again.
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
    ranges = {}
    for point in MeasurementPoint.objects.select_related(
        "calibration__instrument", "calibration__procedure"
    ).order_by("pk"):
        instrument, code = point.calibration.instrument, point.calibration.procedure.code
        if (instrument.pk, code) not in ranges:
            position = 1 + sum(1 for key in ranges if key[0] == instrument.pk)
            name = instrument.measuring_range or instrument.unit
            ranges[instrument.pk, code] = InstrumentRange.objects.create(
                instrument=instrument,
                position=position,
                name=name if position == 1 else f"{name} ({code})",
                procedure_code=code,
                unit=instrument.unit,
                resolution=instrument.resolution,
            )
        MeasurementPoint.objects.filter(pk=point.pk).update(range=ranges[instrument.pk, code])


class Migration(migrations.Migration):
    dependencies = [("calibration", "0003_procedures_ranges_signatures")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
