"""The database itself refuses to change an issued certificate or the data behind it."""

import pytest
from django.db import DatabaseError, connection, transaction

from calibration.models import Calibration, MeasurementPoint, StandardUse
from certificates.models import Certificate


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError as error:
        assert "frozen" in str(error)
        return True
    return False


def test_an_issued_certificate_cannot_be_updated_even_by_queryset_update(issued):
    assert refused(lambda: Certificate.objects.filter(pk=issued.pk).update(sha256="0" * 64))
    issued.refresh_from_db()
    assert issued.sha256 != "0" * 64


def test_an_issued_certificate_cannot_be_updated_by_raw_sql(issued):
    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE certificates_certificate SET pdf = %s WHERE id = %s", [b"forged", issued.pk]
            )

    assert refused(raw)


def test_an_issued_certificate_cannot_be_deleted(issued):
    assert refused(lambda: Certificate.objects.filter(pk=issued.pk).delete())


@pytest.mark.parametrize(
    "change",
    [
        lambda c: Calibration.objects.filter(pk=c.pk).update(temperature="30"),
        lambda c: MeasurementPoint.objects.filter(calibration=c).update(readings=["1", "2"]),
        lambda c: MeasurementPoint.objects.filter(calibration=c).delete(),
        lambda c: StandardUse.objects.filter(calibration=c).delete(),
    ],
    ids=["calibration-update", "points-update", "points-delete", "standard-uses-delete"],
)
def test_the_data_of_an_issued_calibration_cannot_change(issued, change):
    assert refused(lambda: change(issued.calibration))


def test_a_draft_calibration_stays_editable(draft):
    assert not refused(
        lambda: MeasurementPoint.objects.filter(calibration=draft).update(readings=["1", "2"])
    )
