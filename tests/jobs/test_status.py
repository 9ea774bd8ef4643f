"""A job's status is derived from its items' calibrations, in SQL, and the board shows the same."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from calibration import workflow as flow
from jobs import services as jobs
from jobs.models import Job, JobStatus
from tests.conftest import login
from tests.jobs.conftest import advance, board_status, make_instrument, receive, start


def status_of(job) -> str:
    return Job.objects.with_status().get(pk=job.pk).status


def test_the_status_follows_the_calibration_from_receipt_to_return(
    client, job, alice, rita, procedure, weights, today
):
    login(client, rita)
    item = job.items.get()

    def seen() -> str:
        status = status_of(job)
        assert board_status(client, job.number) == status
        return status

    assert seen() == JobStatus.RECEIVED
    calibration = start(item, technician=alice, procedure=procedure, standard=weights, on=today)
    item.refresh_from_db()
    assert item.calibration == calibration
    assert seen() == JobStatus.IN_PROGRESS
    for state, status in [
        ("submitted", JobStatus.AWAITING_REVIEW),
        ("reviewed", JobStatus.AWAITING_REVIEW),
        ("approved", JobStatus.APPROVED),
        ("issued", JobStatus.ISSUED),
    ]:
        advance(calibration, to=state, technician=alice, reviewer=rita)
        assert seen() == status, state
    jobs.job_return(job=job, returned_on=today, by=rita)
    assert seen() == JobStatus.RETURNED


def test_a_job_is_only_as_far_as_its_least_advanced_item(
    customer, balance, alice, rita, procedure, weights, today
):
    scale = make_instrument(customer, alice, "X-9")
    job = receive(customer=customer, by=alice, instruments=[balance, scale], received_on=today)
    first, second = job.items.order_by("pk")
    calibration = start(first, technician=alice, procedure=procedure, standard=weights, on=today)
    advance(calibration, to="issued", technician=alice, reviewer=rita)
    assert status_of(job) == JobStatus.IN_PROGRESS  # one issued, one not started
    other = start(second, technician=alice, procedure=procedure, standard=weights, on=today)
    flow.calibration_submit(calibration=other, by=alice)
    assert status_of(job) == JobStatus.AWAITING_REVIEW


def test_a_returned_calibration_takes_the_job_back_to_in_progress(
    job, alice, rita, procedure, weights, today
):
    calibration = start(
        job.items.get(), technician=alice, procedure=procedure, standard=weights, on=today
    )
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_return(calibration=calibration, by=rita, reason="Thiếu điểm 50 g")
    assert status_of(job) == JobStatus.IN_PROGRESS


def test_an_item_is_started_once(client, job, alice, procedure, weights, today):
    item = job.items.get()
    calibration = start(item, technician=alice, procedure=procedure, standard=weights, on=today)
    with pytest.raises(ValidationError, match="already started"):
        start(item, technician=alice, procedure=procedure, standard=weights, on=today)
    response = login(client, alice).get(f"/jobs/items/{item.pk}/start/")
    assert response.status_code == 302
    assert response["Location"] == f"/calibrations/{calibration.pk}/"


def test_the_start_page_fixes_the_instrument_and_opens_the_calibration(
    client, job, alice, procedure, weights, balance, other_balance, today
):
    item = job.items.get()
    login(client, alice)
    page = client.get(f"/jobs/items/{item.pk}/start/")
    assert page.status_code == 200
    assert str(balance) in page.content.decode() and str(other_balance) not in page.content.decode()
    response = client.post(
        f"/jobs/items/{item.pk}/start/",
        {
            "instrument": other_balance.pk,  # ignored: the field is fixed to the item's
            "procedure": procedure.pk,
            "received_on": today.isoformat(),
            "performed_on": today.isoformat(),
            "place": "Phòng thí nghiệm",
            "temperature": "23.0",
            "humidity": "55",
            "standards": [weights.pk],
        },
    )
    item.refresh_from_db()
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/calibrations/{item.calibration.pk}/"
    assert item.calibration.instrument == balance
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/calibrations/{item.calibration.pk}/" in detail and "Start calibration" not in detail


def test_turnaround_counts_days_to_the_return_or_to_today_and_overdue_only_open_jobs(
    customer, balance, alice, today
):
    received = today - dt.timedelta(days=12)
    job = receive(
        customer=customer, by=alice, instruments=[balance], received_on=received, due_days=5
    )
    annotated = Job.objects.with_status().get(pk=job.pk)
    assert annotated.turnaround.days == 12
    assert annotated.overdue
    jobs.job_return(
        job=job, returned_on=today - dt.timedelta(days=2), by=alice, reason="Hỏng, không sửa được"
    )
    annotated = Job.objects.with_status().get(pk=job.pk)
    assert annotated.turnaround.days == 10
    assert not annotated.overdue
