"""Reviewing and approving are electronic signatures over exactly the data signed (clause 7.5, 7.8.6).

The signer types their password again; the signature records its meaning, time and the SHA-256 of
the data; any later change to that data, by any path, voids it, and a void signature stops
approval and issue.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calibration import services as cal
from calibration import signing
from calibration import workflow as flow
from calibration.models import MeasurementPoint, Signature, State
from certificates.services import certificate_issue
from competence.services import NotAuthorised, authorisation_revoke
from tests.conftest import PASSWORD, authorise, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD, reason="Đủ dữ liệu")
    draft.refresh_from_db()
    return draft


def test_a_review_is_a_signature_over_the_data(reviewed, rita):
    signature = reviewed.signatures.get()
    assert (signature.meaning, signature.signer) == (Signature.Meaning.REVIEWED, rita)
    assert signature.digest == signing.digest(reviewed)
    assert len(signature.digest) == 64
    readings = [p["readings"] for p in signature.content["points"]]
    assert readings == [["100.0002", "100.0001", "100.0002"], ["199.9998", "199.9999", "199.9998"]]
    assert flow.signature_problems(reviewed, meanings=["reviewed"]) == []


@pytest.mark.parametrize("password", ["", "wrong", PASSWORD.upper()])
def test_signing_needs_the_signers_own_password(draft, alice, rita, password):
    flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(flow.SignatureRefused, match="password is not right"):
        flow.calibration_review(calibration=draft, by=rita, password=password)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    assert not draft.signatures.exists()


def test_the_signature_is_void_after_a_change_through_the_service(reviewed, alice, rita):
    flow.calibration_return(calibration=reviewed, by=rita, reason="Point 2: repeat the readings")
    with pytest.raises(ValidationError, match="say why its data change"):
        cal.calibration_set_point(
            calibration=reviewed,
            position=2,
            reference=reviewed.points.get(position=2).reference,
            readings=["199.9998", "199.9998", "199.9999"],
            by=alice,
        )
    cal.calibration_set_point(
        calibration=reviewed,
        position=2,
        reference=reviewed.points.get(position=2).reference,
        readings=["199.9998", "199.9998", "199.9999"],
        by=alice,
        reason="Readings repeated as the reviewer asked",
    )
    [problem] = flow.signature_problems(reviewed, meanings=["reviewed"])
    assert "is void: the data changed after it was signed" in problem
    point = reviewed.points.get(position=2)
    assert point.history.first().history_change_reason == "Readings repeated as the reviewer asked"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: MeasurementPoint.objects.filter(calibration=c, position=1).update(
            readings=["100.0002", "100.0001", "100.0003"]
        ),
        lambda c: type(c).objects.filter(pk=c.pk).update(humidity="56.00"),
        lambda c: type(c).objects.filter(pk=c.pk).update(remarks="changed behind the reviewer"),
        lambda c: MeasurementPoint.objects.filter(calibration=c, position=2).delete(),
        lambda c: MeasurementPoint.objects.filter(calibration=c, position=1).update(position=3),
    ],
    ids=["a-reading", "the-humidity", "the-remarks", "a-point-removed", "a-point-moved"],
)
def test_any_change_behind_the_services_back_voids_the_signature_and_stops_approval(
    reviewed, rita, change
):
    change(reviewed)
    with pytest.raises(flow.SignatureRefused, match="void"):
        flow.calibration_approve(calibration=reviewed, by=rita, password=PASSWORD)
    reviewed.refresh_from_db()
    assert reviewed.state == State.REVIEWED


def test_a_change_after_approval_stops_the_issue(reviewed, rita):
    flow.calibration_approve(calibration=reviewed, by=rita, password=PASSWORD)
    type(reviewed).objects.filter(pk=reviewed.pk).update(place="Hiện trường / on site")
    with pytest.raises(flow.SignatureRefused) as refusal:
        certificate_issue(calibration=reviewed, by=rita)
    assert len(refusal.value.messages) == 2  # both the review and the approval are void
    reviewed.refresh_from_db()
    assert reviewed.state == State.APPROVED


def test_unchanged_data_keeps_both_signatures_through_the_issue(reviewed, rita):
    flow.calibration_approve(calibration=reviewed, by=rita, password=PASSWORD)
    certificate = certificate_issue(calibration=reviewed, by=rita)
    assert certificate.number
    assert [s.meaning for s in reviewed.signatures.all()] == ["reviewed", "approved"]
    assert flow.signature_problems(reviewed) == []


def test_the_technician_cannot_sign_their_own_work(draft, alice, quinn):
    flow.calibration_submit(calibration=draft, by=alice)
    alice.role = "reviewer"
    alice.save()
    authorise(alice, draft.procedure.code, "review", by=quinn)
    with pytest.raises(PermissionDenied, match="second person"):
        flow.calibration_review(calibration=draft, by=alice, password=PASSWORD)


def test_only_a_person_authorised_for_the_procedure_may_review_or_approve(draft, alice, quinn):
    vera = make_user("vera", "reviewer", first="Vera", last="Võ")
    flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(NotAuthorised, match="Võ Vera is not authorised to review QTHC-KL-01"):
        flow.calibration_review(calibration=draft, by=vera, password=PASSWORD)
    authorise(vera, draft.procedure.code, "review", by=quinn)
    flow.calibration_review(calibration=draft, by=vera, password=PASSWORD)
    with pytest.raises(NotAuthorised, match="not authorised to approve QTHC-KL-01"):
        flow.calibration_approve(calibration=draft, by=vera, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.state == State.REVIEWED


def test_a_revoked_authorisation_stops_the_next_signature(reviewed, rita, quinn, today):
    approval = rita.authorisations.get(activity="approve")
    authorisation_revoke(authorisation=approval, on=today, reason="Left the lab", by=quinn)
    with pytest.raises(NotAuthorised, match="revoked on"):
        flow.calibration_approve(calibration=reviewed, by=rita, password=PASSWORD)


def test_a_technician_without_an_authorisation_cannot_open_a_calibration(
    balance, procedure, weights, quinn, today
):
    from decimal import Decimal

    from calibration.models import Calibration

    newcomer = make_user("nam", "technician", first="Nam", last="Lý")
    with pytest.raises(NotAuthorised, match="Lý Nam is not authorised to perform QTHC-KL-01"):
        cal.calibration_create(
            instrument=balance,
            procedure=procedure,
            by=newcomer,
            received_on=today,
            performed_on=today,
            temperature=Decimal("23"),
            humidity=Decimal("50"),
            standards=[weights],
        )
    assert not Calibration.objects.exists()


def test_the_signature_page_shows_whether_each_signature_holds(client, reviewed, rita):
    client.force_login(rita)
    page = client.get(f"/calibrations/{reviewed.pk}/").content.decode()
    assert "holds" in page and "void" not in page
    MeasurementPoint.objects.filter(calibration=reviewed, position=1).update(readings=["1", "2"])
    page = client.get(f"/calibrations/{reviewed.pk}/").content.decode()
    assert "void: the data changed after signing" in page


def test_approving_from_the_page_needs_the_password(client, reviewed, rita):
    client.force_login(rita)
    client.post(f"/calibrations/{reviewed.pk}/approve/", {"password": "guess"})
    reviewed.refresh_from_db()
    assert reviewed.state == State.REVIEWED
    client.post(f"/calibrations/{reviewed.pk}/approve/", {"password": PASSWORD})
    reviewed.refresh_from_db()
    assert reviewed.state == State.APPROVED
    assert reviewed.signatures.filter(meaning="approved").exists()
