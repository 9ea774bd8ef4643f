import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from standards.models import StandardStatus
from standards.services import StandardNotUsable, standard_check_usable, standard_set_status
from tests.conftest import PASSWORD


def open_with(standard, *, balance, procedure, alice, on):
    return cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=on,
        performed_on=on,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[standard],
    )


def test_a_standard_in_force_is_usable_and_names_its_certificate(weights, today):
    assert standard_check_usable(standard=weights, on=today).certificate_number == "V01.26.0001"


def live_on(monkeypatch, day):
    """The lab works on `day`: a calibration cannot be dated after today."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_an_overdue_standard_is_refused_with_its_due_date(
    weights, balance, procedure, alice, today, monkeypatch
):
    later = today + dt.timedelta(days=300)
    live_on(monkeypatch, later)
    with pytest.raises(StandardNotUsable) as refusal:
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=later)
    message = refusal.value.messages[0]
    assert "E2-01" in message and "overdue" in message and "V01.26.0001" in message
    assert (today + dt.timedelta(days=265)).strftime("%d/%m/%Y") in message


def test_a_refused_calibration_is_not_saved(weights, balance, procedure, alice, today, monkeypatch):
    from calibration.models import Calibration

    live_on(monkeypatch, today + dt.timedelta(days=300))

    with pytest.raises(StandardNotUsable):
        open_with(
            weights,
            balance=balance,
            procedure=procedure,
            alice=alice,
            on=today + dt.timedelta(days=300),
        )
    assert not Calibration.objects.exists()


def test_a_standard_never_calibrated_by_that_day_is_refused(
    weights, balance, procedure, alice, today
):
    with pytest.raises(StandardNotUsable, match="had no calibration"):
        open_with(
            weights,
            balance=balance,
            procedure=procedure,
            alice=alice,
            on=today - dt.timedelta(days=200),
        )


def test_a_quarantined_standard_is_refused_with_since_when(
    weights, quinn, balance, procedure, alice, today
):
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Check out of limits"
    )
    with pytest.raises(StandardNotUsable, match=f"has been quarantined since {today:%d/%m/%Y}"):
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=today)


def test_approval_is_refused_when_a_standard_is_no_longer_valid(draft, weights, alice, rita, quinn):
    flow.calibration_submit(calibration=draft, by=alice)
    flow.calibration_review(calibration=draft, by=rita, password=PASSWORD)
    standard_set_status(standard=weights, status=StandardStatus.RETIRED, by=quinn, reason="Damaged")
    with pytest.raises(StandardNotUsable, match="E2-01"):
        flow.calibration_approve(calibration=draft, by=rita, password=PASSWORD)
    draft.refresh_from_db()
    assert draft.state == "reviewed"


def test_a_status_change_needs_a_reason_and_is_in_the_history(weights, quinn):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        standard_set_status(
            standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason=""
        )
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Dropped"
    )
    latest = weights.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "quarantined",
        quinn,
        "Dropped",
    )


def test_the_page_refuses_an_overdue_standard_with_the_reason(
    client, weights, balance, procedure, alice, today, monkeypatch
):
    from tests.conftest import login

    login(client, alice)
    live_on(monkeypatch, today + dt.timedelta(days=300))
    later = (today + dt.timedelta(days=300)).isoformat()
    response = client.post(
        "/calibrations/new/",
        {
            "instrument": balance.pk,
            "procedure": procedure.pk,
            "received_on": later,
            "performed_on": later,
            "place": "Lab",
            "temperature": "23",
            "humidity": "50",
            "standards": [weights.pk],
        },
    )
    assert response.status_code == 200
    assert "overdue" in response.content.decode()


def test_a_standard_out_for_calibration_is_refused(
    weights, quinn, balance, procedure, alice, today
):
    standard_set_status(
        standard=weights, status=StandardStatus.OUT_FOR_CALIBRATION, by=quinn, reason="Sent to VMI"
    )
    with pytest.raises(StandardNotUsable, match="out for calibration since"):
        open_with(weights, balance=balance, procedure=procedure, alice=alice, on=today)


def test_since_when_counts_from_the_latest_quarantine(weights, quinn, today):
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="First"
    )
    first = weights.history.first()
    first.history_date = first.history_date - dt.timedelta(days=40)
    first.save()
    standard_set_status(
        standard=weights, status=StandardStatus.IN_SERVICE, by=quinn, reason="Cleared"
    )
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Again"
    )
    with pytest.raises(StandardNotUsable, match=f"since {today:%d/%m/%Y}"):
        standard_check_usable(standard=weights, on=today)
