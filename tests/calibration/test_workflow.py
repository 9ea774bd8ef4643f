import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import State, Transition
from calibration.services import WorkflowError
from tests.conftest import PASSWORD


def test_a_draft_moves_through_submit_review_and_approve(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD, reason="Dữ liệu đầy đủ")
    flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.state == State.APPROVED
    moves = list(
        Transition.objects.filter(calibration=draft).values_list(
            "from_state", "to_state", "by__username"
        )
    )
    assert moves == [
        ("draft", "submitted", "alice"),
        ("submitted", "reviewed", "rita"),
        ("reviewed", "approved", "rita"),
    ]


def test_each_move_is_in_the_history_with_user_and_reason(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD, reason="Dữ liệu đầy đủ")
    latest = draft.history.first()
    assert latest.history_user == rita
    assert latest.history_change_reason == "Dữ liệu đầy đủ"
    assert latest.state == State.REVIEWED


def test_the_technician_cannot_approve_their_own_work(draft, alice, rita):
    alice.role = "reviewer"  # even holding the reviewer role, a second person is required
    alice.save()
    draft.state = State.SUBMITTED
    draft.save()
    with pytest.raises(PermissionDenied):
        flow.calibration_review(calibration=draft, by=alice, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_a_technician_cannot_review(draft, alice, bob):
    flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(PermissionDenied):
        flow.calibration_review(calibration=draft, by=bob, password=PASSWORD)


def test_only_the_performing_technician_may_submit(draft, bob):
    with pytest.raises(PermissionDenied):
        flow.calibration_submit(calibration=draft, by=bob)


def test_approval_needs_a_review_first(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(WorkflowError, match="needs it reviewed"):
        flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)


def test_a_returned_calibration_goes_back_to_draft_with_the_reason(draft, alice, rita):
    flow.calibration_submit(calibration=draft, by=alice)
    with pytest.raises(ValidationError):
        flow.calibration_return(calibration=draft, by=rita, reason="  ")
    flow.calibration_return(calibration=draft, by=rita, reason="Thiếu điểm 50 g")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.transitions.last().reason == "Thiếu điểm 50 g"


def test_a_submitted_calibration_cannot_be_edited(draft, alice):
    flow.calibration_submit(calibration=draft, by=alice)
    reference = draft.points.first().reference
    with pytest.raises(WorkflowError, match="only a draft can be changed"):
        cal.calibration_set_point(
            calibration=draft, position=1, reference=reference, readings=["1", "2"], by=alice
        )


def test_submitting_needs_at_least_one_point(balance, procedure, weights, alice, today):
    from decimal import Decimal

    calibration = cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=today,
        performed_on=today,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[weights],
    )
    with pytest.raises(WorkflowError, match="at least one measurement point"):
        flow.calibration_submit(calibration=calibration, by=alice)


def test_a_long_reason_is_kept_whole(draft, alice, rita):
    reason = "Thiếu điểm đo 50 g; lặp lại phép đo tại 100 g và 200 g. " * 10
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason=reason)
    assert draft.history.first().history_change_reason == reason
    assert draft.transitions.last().reason == reason


def test_a_customer_sees_results_only_once_the_certificate_is_issued(
    client, draft, carol, alice, rita
):
    from certificates.services import certificate_issue
    from tests.conftest import login

    login(client, carol)
    page = client.get(f"/calibrations/{draft.pk}/").content.decode()
    assert "100.00017" not in page and "released with the certificate" in page
    assert client.get(f"/api/calibrations/{draft.pk}/").json()["points"] == []
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_return(calibration=draft, by=rita, reason="Internal remark")
    assert "Internal remark" not in client.get(f"/calibrations/{draft.pk}/").content.decode()
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    certificate_issue(calibration=draft, by=rita)
    assert "100.00017" in client.get(f"/calibrations/{draft.pk}/").content.decode()
    assert len(client.get(f"/api/calibrations/{draft.pk}/").json()["points"]) == 2
