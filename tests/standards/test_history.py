"""Every record of the standards register keeps its history, each row with the user and the reason."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from standards.intervals import interval_decide, interval_propose
from standards.models import Conformity, DocumentKind, StandardStatus
from standards.services import (
    check_record,
    document_add,
    finding_assess,
    finding_report,
    piece_add,
    standard_calibration_record,
    standard_update,
)
from tests.conftest import login


def only(record):
    """The single history row of a record just created."""
    (row,) = record.history.all()
    return row


def test_a_piece_is_recorded_with_who_and_why(weights, quinn):
    piece = piece_add(
        standard=weights, label="100 g", nominal="100", by=quinn, reason="Box inventoried"
    )
    row = only(piece)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        quinn,
        "Box inventoried",
    )


def test_a_document_is_recorded_with_its_hash_and_history(settings, tmp_path, weights, quinn):
    settings.MEDIA_ROOT = tmp_path
    data = b"%PDF-1.7 manual of the E2 set"
    document = document_add(
        standard=weights,
        kind=DocumentKind.MANUAL,
        title="Hướng dẫn sử dụng",
        upload=SimpleUploadedFile("manual.pdf", data),
        by=quinn,
    )
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    row = only(document)
    assert (row.history_user, row.history_change_reason) == (quinn, "Document added")


def test_an_empty_document_is_refused(settings, tmp_path, weights, quinn):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="empty"):
        document_add(
            standard=weights,
            kind=DocumentKind.PHOTO,
            title="Ảnh",
            upload=SimpleUploadedFile("photo.jpg", b""),
            by=quinn,
        )
    assert not weights.documents.exists()


def test_a_check_is_recorded_with_its_remarks_as_the_reason(weights, alice, today):
    check = check_record(
        standard=weights,
        checked_on=today,
        label="100 g",
        value="0.000010",
        by=alice,
        remarks="Against E1-02",
    )
    row = only(check)
    assert (row.history_user, row.history_change_reason, row.performed_by) == (
        alice,
        "Against E1-02",
        alice,
    )
    plain = check_record(
        standard=weights, checked_on=today, label="200 g", value="0.00002", by=alice
    )
    assert only(plain).history_change_reason == "Intermediate check recorded"


def test_a_reported_finding_quarantines_the_standard_and_both_keep_who_and_why(
    weights, quinn, alice, today
):
    with pytest.raises(PermissionDenied):
        finding_report(standard=weights, found_on=today, description="Dropped", by=alice)
    with pytest.raises(ValidationError, match="Say what was found"):
        finding_report(standard=weights, found_on=today, description=" ", by=quinn)
    finding = finding_report(
        standard=weights, found_on=today, description="The 100 g was dropped on the floor", by=quinn
    )
    assert finding.last_good_on == today - dt.timedelta(days=100)
    row = only(finding)
    assert (row.history_user, row.history_change_reason) == (
        quinn,
        "The 100 g was dropped on the floor",
    )
    weights.refresh_from_db()
    assert weights.status == StandardStatus.QUARANTINED
    status = weights.history.first()
    assert (status.history_user, status.history_change_reason) == (
        quinn,
        "The 100 g was dropped on the floor",
    )
    finding_assess(
        finding=finding,
        assessment="No result affected",
        customers_notified=False,
        notified_on=None,
        by=quinn,
    )
    latest = finding.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.assessment) == (
        quinn,
        "Look-back assessed",
        "No result affected",
    )


def reviewable(standard, *, vmi, quinn, today):
    """A recalibration that states the standard was found in tolerance: enough for a review."""
    standard_calibration_record(
        standard=standard,
        provider=vmi,
        certificate_number="V01.26.0099",
        calibrated_on=today - dt.timedelta(days=10),
        conformity=Conformity.CONFORMS,
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.00002",
                "expanded_uncertainty": "0.00005",
            }
        ],
    )
    return standard


def test_an_interval_review_keeps_the_proposal_and_the_decision(weights, quinn, vmi, today):
    review = interval_propose(
        standard=reviewable(weights, vmi=vmi, quinn=quinn, today=today), by=quinn
    )
    assert (only(review).history_user, only(review).history_change_reason) == (
        quinn,
        "Interval review proposed",
    )
    interval_decide(review=review, months=13, reason="In tolerance at VMI", by=quinn)
    latest = review.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.decided_months) == (
        quinn,
        "In tolerance at VMI",
        13,
    )


def test_a_register_change_needs_a_reason_and_cannot_change_the_status(weights, quinn):
    with pytest.raises(ValidationError, match="Give the reason"):
        standard_update(standard=weights, by=quinn, reason="", location="Phòng 2")
    with pytest.raises(ValidationError, match="not fields of the register: status"):
        standard_update(
            standard=weights,
            by=quinn,
            reason="Moved to room 2",
            location="Phòng 2",
            status=StandardStatus.RETIRED,
        )
    standard_update(standard=weights, by=quinn, reason="Moved to room 2", location="Phòng 2")
    weights.refresh_from_db()
    assert (weights.location, weights.status) == ("Phòng 2", StandardStatus.IN_SERVICE)
    latest = weights.history.first()
    assert (latest.history_user, latest.history_change_reason) == (quinn, "Moved to room 2")


def test_an_incoming_certificate_and_its_values_keep_who_recorded_them(weights, quinn):
    incoming = weights.calibrations.get()
    assert (only(incoming).history_user, only(incoming).history_change_reason) == (
        quinn,
        "Incoming certificate recorded",
    )
    for value in incoming.values.all():
        assert (only(value).history_user, only(value).history_change_reason) == (
            quinn,
            "Incoming certificate recorded",
        )


@pytest.mark.parametrize("kind", ["check", "finding", "interval-review", "piece", "document"])
def test_the_history_page_shows_the_user_and_the_reason(
    client, settings, tmp_path, kind, weights, quinn, alice, vmi, today
):
    settings.MEDIA_ROOT = tmp_path
    records = {
        "check": lambda: check_record(
            standard=weights,
            checked_on=today,
            label="100 g",
            value="0.00001",
            by=alice,
            remarks="Weekly check",
        ),
        "finding": lambda: finding_report(
            standard=weights, found_on=today, description="Weekly check: scratched", by=quinn
        ),
        "piece": lambda: piece_add(
            standard=weights, label="100 g", nominal="100", by=quinn, reason="Weekly check: new box"
        ),
        "document": lambda: document_add(
            standard=weights,
            kind=DocumentKind.PHOTO,
            title="Ảnh",
            upload=SimpleUploadedFile("photo.jpg", b"jpeg"),
            by=quinn,
            reason="Weekly check photo",
        ),
    }
    if kind == "interval-review":
        reviewable(weights, vmi=vmi, quinn=quinn, today=today)
        record = interval_propose(standard=weights, by=quinn)
        interval_decide(review=record, months=12, reason="Weekly check: keep 12", by=quinn)
    else:
        record = records[kind]()
    login(client, alice)
    page = client.get(f"/history/{kind}/{record.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Weekly check" in text
    assert str(alice if kind == "check" else quinn) in text
