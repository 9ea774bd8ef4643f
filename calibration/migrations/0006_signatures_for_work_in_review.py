"""Calibrations reviewed or approved before signatures existed have none, so they could never be
issued: they go back to submitted, to be reviewed and approved again, now with a signature."""

from django.db import migrations

REASON = (
    "Chuyển tự động khi nâng cấp: soát xét và phê duyệt lại bằng chữ ký điện tử / "
    "moved by the upgrade: review and approve again with an electronic signature"
)


def forward(apps, schema_editor):
    Calibration = apps.get_model("calibration", "Calibration")
    Transition = apps.get_model("calibration", "Transition")
    for calibration in Calibration.objects.filter(
        state__in=["reviewed", "approved"], signatures=None
    ):
        last = Transition.objects.filter(calibration=calibration).order_by("-at", "-pk").first()
        Transition.objects.create(
            calibration=calibration,
            from_state=calibration.state,
            to_state="submitted",
            by_id=last.by_id if last else calibration.technician_id,
            reason=REASON,
        )
        Calibration.objects.filter(pk=calibration.pk).update(state="submitted")


class Migration(migrations.Migration):
    dependencies = [("calibration", "0005_point_range_required")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
