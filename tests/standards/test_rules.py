"""Rules of the register that a careless click or a script could otherwise break."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from standards.models import StandardStatus
from standards.services import (
    check_record,
    finding_assess,
    finding_report,
    standard_calibration_record,
    standard_set_status,
)


def test_a_standard_found_out_of_tolerance_returns_to_service_only_after_the_assessment(
    weights, quinn, rita, today
):
    finding = finding_report(standard=weights, found_on=today, description="Dropped", by=quinn)
    with pytest.raises(ValidationError, match="look-back is not assessed yet"):
        standard_set_status(
            standard=weights, status=StandardStatus.IN_SERVICE, by=rita, reason="Looks fine"
        )
    weights.refresh_from_db()
    assert weights.status == StandardStatus.QUARANTINED
    finding_assess(
        finding=finding,
        assessment="Recalibrated, no result affected",
        customers_notified=False,
        notified_on=None,
        by=quinn,
    )
    standard_set_status(
        standard=weights, status=StandardStatus.IN_SERVICE, by=rita, reason="Released"
    )
    weights.refresh_from_db()
    assert weights.status == StandardStatus.IN_SERVICE


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"coverage_factor": "0"}, "coverage factor"),
        ({"coverage_factor": 0}, "coverage factor"),
        ({"expanded_uncertainty": None}, "a number is missing"),
        ({"expanded_uncertainty": ""}, "a number is missing"),
        ({"nominal": "1,0,0"}, "is not a number"),
    ],
)
def test_an_incoming_value_with_a_bad_figure_is_refused_with_a_message(
    weights, vmi, national_mass, quinn, today, row, message
):
    value = {
        "label": "500 g",
        "nominal": "500",
        "value": "500.0001",
        "expanded_uncertainty": "0.0002",
    }
    with pytest.raises(ValidationError, match=message):
        standard_calibration_record(
            standard=weights,
            provider=vmi,
            national_standard=national_mass,
            certificate_number="V01.26.0500",
            calibrated_on=today,
            by=quinn,
            values=[{**value, **row}],
        )
    assert weights.calibrations.count() == 1


def test_a_retired_standard_is_not_checked_and_none_is_its_own_check_standard(
    weights, alice, quinn, today
):
    with pytest.raises(ValidationError, match="its own check standard"):
        check_record(
            standard=weights,
            checked_on=today,
            label="100 g",
            value="100",
            check_standard=weights,
            by=alice,
        )
    standard_set_status(standard=weights, status=StandardStatus.RETIRED, by=quinn, reason="Worn")
    with pytest.raises(ValidationError, match="is retired"):
        check_record(
            standard=weights,
            checked_on=today - dt.timedelta(days=1),
            label="100 g",
            value="100",
            by=alice,
        )
    assert not weights.checks.exists()


def test_a_finding_and_its_notification_cannot_be_dated_in_the_future(weights, quinn, today):
    tomorrow = today + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="finding cannot be dated in the future"):
        finding_report(standard=weights, found_on=tomorrow, description="Dropped", by=quinn)
    assert not weights.findings.exists()
    finding = finding_report(standard=weights, found_on=today, description="Dropped", by=quinn)
    with pytest.raises(ValidationError, match="notification cannot be dated in the future"):
        finding_assess(
            finding=finding,
            assessment="No effect",
            customers_notified=True,
            notified_on=tomorrow,
            by=quinn,
        )
    finding.refresh_from_db()
    assert not finding.is_assessed


def test_a_refused_document_leaves_no_file_behind(weights, quinn, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from standards.services import document_add

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        document_add(
            standard=weights,
            kind="nonsense",
            title="Manual",
            upload=SimpleUploadedFile("manual.pdf", b"%PDF-1.7 manual"),
            by=quinn,
        )
    assert not any(tmp_path.rglob("*.pdf"))
