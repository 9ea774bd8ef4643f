"""Handing the instruments back: with every certificate issued, or with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jobs import services as jobs
from tests.conftest import login
from tests.jobs.conftest import advance, start


def test_a_return_without_a_reason_is_refused_while_an_item_has_no_certificate(job, alice, today):
    with pytest.raises(ValidationError) as refusal:
        jobs.job_return(job=job, returned_on=today, by=alice)
    assert (
        "1 item(s) have no issued certificate (Cân phân tích Quintix224 S/N 0034512877)"
        in (refusal.value.messages[0])
    )
    job.refresh_from_db()
    assert job.returned_on is None


def test_a_return_with_a_reason_is_recorded_with_it(client, job, alice, rita, today):
    jobs.job_return(
        job=job, returned_on=today, by=alice, reason="Không hiệu chuẩn được: màn hình hỏng"
    )
    job.refresh_from_db()
    assert job.returned_on == today
    assert job.history.latest().history_change_reason == "Không hiệu chuẩn được: màn hình hỏng"
    login(client, rita)
    assert "Không hiệu chuẩn được: màn hình hỏng" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_a_job_whose_items_are_all_issued_returns_without_a_reason(
    job, alice, rita, procedure, weights, today
):
    calibration = start(
        job.items.get(), technician=alice, procedure=procedure, standard=weights, on=today
    )
    advance(calibration, to="issued", technician=alice, reviewer=rita)
    jobs.job_return(job=job, returned_on=today, by=alice)
    job.refresh_from_db()
    assert job.returned_on == today


@pytest.mark.parametrize(
    "days, message",
    [(1, "cannot be in the future"), (-1, "cannot be before the date received")],
)
def test_the_return_date_is_between_receipt_and_today(job, alice, today, days, message):
    with pytest.raises(ValidationError, match=message):
        jobs.job_return(
            job=job, returned_on=job.received_on + dt.timedelta(days=days), by=alice, reason="x"
        )


def test_a_returned_job_no_longer_changes(job, alice, bob, procedure, weights, today):
    jobs.job_return(job=job, returned_on=today, by=alice, reason="Khách lấy về")
    with pytest.raises(ValidationError, match="was returned on"):
        jobs.job_return(job=job, returned_on=today, by=alice, reason="again")
    with pytest.raises(ValidationError, match="was returned on"):
        jobs.job_assign(job=job, technician=bob, by=alice)
    with pytest.raises(ValidationError, match="was returned on"):
        start(job.items.get(), technician=alice, procedure=procedure, standard=weights, on=today)


def test_the_return_button_shows_the_refusal_on_the_page(client, job, rita, today):
    login(client, rita)
    response = client.post(
        f"/jobs/{job.pk}/return/", {"returned_on": today.isoformat(), "reason": ""}, follow=True
    )
    assert response.status_code == 200
    assert "have no issued certificate" in response.content.decode()
    job.refresh_from_db()
    assert job.returned_on is None
    response = client.post(f"/jobs/{job.pk}/return/", {"returned_on": "nonsense"}, follow=True)
    assert "Enter the date the instruments were returned." in response.content.decode()


def test_the_assign_button_assigns_a_technician(client, job, rita, bob):
    login(client, rita)
    response = client.post(f"/jobs/{job.pk}/assign/", {"technician": bob.pk})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.technician == bob
    response = client.post(f"/jobs/{job.pk}/assign/", {"technician": rita.pk}, follow=True)
    assert "Choose an active technician." in response.content.decode()
