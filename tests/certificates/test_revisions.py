"""Correcting and withdrawing issued certificates (ISO/IEC 17025 7.8.8)."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from calibration import workflow as flow
from calibration.models import Calibration, State
from calibration.services import allowed_references, calibration_set_point
from certificates.models import Certificate, Replacement, Status, Withdrawal
from certificates.revisions import RevisionRefused, certificate_replace, certificate_withdraw
from certificates.services import certificate_issue
from dcc.xsd import validate
from tests.conftest import PASSWORD, login


def replace(certificate, by, **overrides):
    fields = {
        "password": PASSWORD,
        "reason": "Số sêri in sai / serial number misprinted",
        "changes": "Số sêri / serial number",
        "kind": "replacement",
    }
    return certificate_replace(certificate=certificate, by=by, **{**fields, **overrides})


def issue_correction(replacement, alice, rita):
    calibration = replacement.calibration
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_review(calibration=calibration, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD)
    return certificate_issue(calibration=calibration, by=rita)


def status_of(certificate) -> str:
    return Certificate.objects.with_status().get(pk=certificate.pk).status


def pdf_text(certificate, tmp_path) -> str:
    path = tmp_path / f"{certificate.number}.pdf"
    path.write_bytes(bytes(certificate.pdf))
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_correction_copies_the_issued_calibration_into_a_draft(issued, rita):
    replacement = replace(issued, rita)
    old, new = issued.calibration, replacement.calibration
    assert new.state == State.DRAFT and new.pk != old.pk
    assert (new.instrument_id, new.procedure_id, new.technician_id, new.performed_on) == (
        old.instrument_id,
        old.procedure_id,
        old.technician_id,
        old.performed_on,
    )
    fields = ("range_id", "phase", "position", "reference_id", "readings", "result")
    assert list(new.points.order_by("pk").values_list(*fields)) == list(
        old.points.order_by("pk").values_list(*fields)
    )
    assert list(new.standard_uses.values_list("standard_calibration_id", flat=True)) == list(
        old.standard_uses.values_list("standard_calibration_id", flat=True)
    )
    assert new.history.first().history_change_reason.startswith(
        f"Opened to correct certificate {issued.number}"
    )
    # Until the new certificate is issued the old one stays in force.
    assert status_of(issued) == Status.IN_FORCE


def test_the_new_certificate_names_the_one_it_replaces_and_supersedes_it(
    issued, alice, rita, tmp_path
):
    replacement = replace(issued, rita)
    references = {v.label: v for v in allowed_references(replacement.calibration)}
    calibration_set_point(
        calibration=replacement.calibration,
        position=1,
        reference=references["100 g"],
        readings=["100.0002", "100.0001", "100.0003"],
        by=alice,
    )
    successor = issue_correction(replacement, alice, rita)

    assert successor.number != issued.number
    assert status_of(issued) == Status.SUPERSEDED
    assert status_of(successor) == Status.IN_FORCE
    assert issued.superseded_by == successor
    text = " ".join(pdf_text(successor, tmp_path).split())
    assert f"thay thế giấy chứng nhận số {issued.number}" in text
    assert f"replaces certificate {issued.number}" in text
    assert "serial number misprinted" in text
    dcc = bytes(successor.dcc).decode()
    assert validate(successor.dcc) == []
    assert (
        "<dcc:reportAmendedSubstituted>\n        <dcc:typeOfChange>substituted</dcc:typeOfChange>\n"
        f"        <dcc:replacedUniqueIdentifier>{issued.number}</dcc:replacedUniqueIdentifier>"
    ) in dcc
    # The superseded certificate itself never changes.
    assert Certificate.objects.get(pk=issued.pk).sha256 == issued.sha256


def test_superseded_and_withdrawn_show_everywhere(client, issued, alice, rita, carol):
    successor = issue_correction(replace(issued, rita), alice, rita)
    login(client, carol)
    listing = client.get("/certificates/").content.decode()
    assert "state-superseded" in listing and "state-in_force" in listing
    page = client.get(f"/certificates/{issued.pk}/").content.decode()
    assert successor.number in page and 'data-testid="superseded"' in page
    api = client.get("/api/certificates/").json()
    rows = api["results"] if isinstance(api, dict) else api
    assert {r["number"]: r["status"] for r in rows} == {
        issued.number: "superseded",
        successor.number: "in_force",
    }
    public = client.get(f"/verify/{issued.token}/").content.decode()
    assert f"Superseded by certificate {successor.number}" in public

    certificate_withdraw(certificate=successor, by=rita, password=PASSWORD, reason="Chuẩn sai")
    public = client.get(f"/verify/{successor.token}/").content.decode()
    # the reason is the lab's own note: the public page gives the status and the date only
    assert "Withdrawn on" in public and "Chuẩn sai" not in public
    assert (
        'data-testid="withdrawn"' in client.get(f"/certificates/{successor.pk}/").content.decode()
    )


def test_a_withdrawn_certificate_cannot_be_corrected_or_withdrawn_again(issued, rita, quinn):
    certificate_withdraw(certificate=issued, by=quinn, password=PASSWORD, reason="Issued in error")
    assert status_of(issued) == Status.WITHDRAWN
    with pytest.raises(RevisionRefused, match="withdrawn"):
        replace(issued, rita)
    with pytest.raises(RevisionRefused, match="already withdrawn"):
        certificate_withdraw(certificate=issued, by=rita, password=PASSWORD, reason="again")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"password": "wrong"}, "password is not right"),
        ({"reason": "  "}, "Say why"),
        ({"changes": ""}, "what changes"),
        ({"kind": "erase"}, "amendment or a replacement"),
    ],
)
def test_bad_input_opens_nothing(issued, rita, overrides, message):
    calibrations = Calibration.objects.count()
    with pytest.raises(RevisionRefused, match=message):
        replace(issued, rita, **overrides)
    assert Calibration.objects.count() == calibrations
    assert not Replacement.objects.exists()


def test_one_correction_at_a_time_and_only_by_those_who_may(issued, rita, alice, quinn):
    with pytest.raises(PermissionDenied):
        replace(issued, alice)
    with pytest.raises(PermissionDenied):
        certificate_withdraw(certificate=issued, by=alice, password=PASSWORD, reason="x")
    first = replace(issued, rita)
    with pytest.raises(RevisionRefused, match=f"calibration #{first.calibration_id}"):
        replace(issued, quinn)


def test_withdrawal_needs_a_reason_and_the_password(issued, rita):
    with pytest.raises(RevisionRefused, match="Say why"):
        certificate_withdraw(certificate=issued, by=rita, password=PASSWORD, reason="")
    with pytest.raises(RevisionRefused, match="password"):
        certificate_withdraw(certificate=issued, by=rita, password="", reason="wrong standard")
    assert not Withdrawal.objects.exists()


def refused(sql, params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "frozen" in str(error)
        return True
    return False


def test_the_decisions_are_frozen_in_the_database(issued, rita):
    replacement = replace(issued, rita)
    withdrawal = certificate_withdraw(
        certificate=issued, by=rita, password=PASSWORD, reason="Issued in error"
    )
    assert refused(
        "UPDATE certificates_replacement SET reason = %s WHERE id = %s", ["", replacement.pk]
    )
    assert refused("DELETE FROM certificates_replacement WHERE id = %s", [replacement.pk])
    assert refused(
        "UPDATE certificates_withdrawal SET reason = %s WHERE id = %s", ["", withdrawal.pk]
    )
    assert refused("DELETE FROM certificates_withdrawal WHERE id = %s", [withdrawal.pk])


def test_the_pages_refuse_clearly(client, issued, rita, alice, carol, oscar):
    login(client, alice)
    assert client.post(f"/certificates/{issued.pk}/withdraw/", {"reason": "x"}).status_code == 403
    login(client, oscar)  # a customer's role never corrects, whoever's the certificate
    assert client.post(f"/certificates/{issued.pk}/replace/").status_code == 403
    login(client, rita)
    response = client.post(
        f"/certificates/{issued.pk}/withdraw/", {"reason": "", "password": PASSWORD}, follow=True
    )
    assert "Say why the certificate is withdrawn" in response.content.decode()
    response = client.post(
        f"/certificates/{issued.pk}/replace/",
        {"kind": "amendment", "reason": "typo", "changes": "address", "password": PASSWORD},
    )
    replacement = Replacement.objects.get()
    assert response.url == f"/calibrations/{replacement.calibration_id}/"
    page = client.get(response.url).content.decode()
    assert f"This calibration is the amendment of certificate {issued.number}" in page
