"""A customer asks for a calibration through the portal; the lab sees it, receives it or not."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jobs import services as jobs
from jobs.models import Job, JobStatus
from tests.conftest import login
from tests.jobs.conftest import board_status
from tests.portal.conftest import register


def status_of(job) -> str:
    return Job.objects.with_status().get(pk=job.pk).status


@pytest.fixture
def scale(customer, alice):
    return register(customer, alice, "SC-1", name="Cân kỹ thuật")


def test_a_request_is_a_numbered_job_requested_by_the_customers_user(
    customer, carol, balance, scale, today
):
    job = jobs.job_request(
        by=carol,
        instruments=[balance, scale],
        service="verification",
        wished_on=today + dt.timedelta(days=7),
        request="Thêm 1 áp kế Wika 0–16 bar, S/N 77120",
        customer_reference="PO-88",
    )
    assert re.fullmatch(rf"TN-{today.year}-\d{{5}}", job.number)
    assert (job.customer, job.requested_by, job.requested_on) == (customer, carol, today)
    assert job.received_on is job.received_by is job.due_on is None
    assert status_of(job) == JobStatus.REQUESTED
    assert {item.instrument for item in job.items.all()} == {balance, scale}
    assert {item.condition for item in job.items.all()} == {""}
    assert job.history.get().history_change_reason == "Requested through the portal"


def test_a_request_may_only_describe_instruments_not_yet_registered(carol):
    job = jobs.job_request(by=carol, instruments=[], request="Hai nhiệt kế Testo 110")
    assert job.items.count() == 0
    assert status_of(job) == JobStatus.REQUESTED


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"instruments": [], "request": "  "}, "Choose at least one"),
        ({"wished_on": dt.date(2000, 1, 1), "request": "x"}, "cannot be in the past"),
    ],
)
def test_it_refuses_an_empty_request_or_a_wish_in_the_past(carol, kwargs, message):
    kwargs = {"instruments": [], **kwargs}
    with pytest.raises(ValidationError, match=message):
        jobs.job_request(by=carol, **kwargs)
    assert not Job.objects.exists()


def test_it_refuses_another_customers_instrument(carol, other_balance):
    with pytest.raises(ValidationError, match="belongs to"):
        jobs.job_request(by=carol, instruments=[other_balance])
    assert not Job.objects.exists()


def test_an_instrument_is_not_asked_for_twice_nor_while_in_the_lab(
    customer, carol, alice, balance, scale, today
):
    first = jobs.job_request(by=carol, instruments=[balance])
    with pytest.raises(ValidationError, match=f"already requested in job {first.number}"):
        jobs.job_request(by=carol, instruments=[balance])
    received = jobs.job_receive(
        customer=customer,
        received_on=today,
        due_on=today,
        by=alice,
        items=[{"instrument": scale, "condition": "Tốt"}],
    )
    with pytest.raises(ValidationError, match=f"still in job {received.number}"):
        jobs.job_request(by=carol, instruments=[scale])
    with pytest.raises(ValidationError, match=f"already requested in job {first.number}"):
        jobs.job_receive(
            customer=customer,
            received_on=today,
            due_on=today,
            by=alice,
            items=[{"instrument": balance, "condition": "Tốt"}],
        )


def test_only_a_customers_user_requests(alice, rita, balance):
    for person in (alice, rita):
        with pytest.raises(PermissionDenied):
            jobs.job_request(by=person, instruments=[balance])


def test_the_lab_sees_the_request_on_its_board_and_the_customer_on_theirs(
    client, carol, rita, balance
):
    job = jobs.job_request(by=carol, instruments=[balance])
    assert board_status(login(client, rita), job.number) == JobStatus.REQUESTED
    client.logout()
    assert board_status(login(client, carol), job.number) == JobStatus.REQUESTED
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Not yet received" in html and "Start calibration" not in html


def test_receiving_a_request_keeps_its_number_and_takes_what_came(
    customer, carol, alice, balance, scale, today
):
    job = jobs.job_request(by=carol, instruments=[balance, scale], request="+ 1 nhiệt kế")
    thermometer = register(customer, alice, "TH-9", name="Nhiệt kế")  # described, registered now
    received = jobs.job_request_receive(
        job=job,
        received_on=today,
        due_on=today + dt.timedelta(days=10),
        by=alice,
        items=[
            {"instrument": balance, "condition": "Tốt"},
            {"instrument": thermometer, "condition": "Vỏ trầy / scratched"},
        ],
    )
    assert received.number == job.number
    assert (received.received_on, received.received_by) == (today, alice)
    assert status_of(job) == JobStatus.RECEIVED
    assert {(i.instrument, i.condition) for i in job.items.all()} == {
        (balance, "Tốt"),
        (thermometer, "Vỏ trầy / scratched"),
    }
    # the scale, asked for and not brought, is free to be asked for again
    assert jobs.job_request(by=carol, instruments=[scale]).items.get().instrument == scale
    with pytest.raises(ValidationError, match="already received"):
        jobs.job_request_receive(
            job=job, received_on=today, due_on=today, by=alice, items=[{"instrument": balance}]
        )


def test_receiving_asks_the_condition_of_every_instrument_and_a_date_after_the_request(
    carol, alice, balance, today
):
    job = jobs.job_request(by=carol, instruments=[balance])
    with pytest.raises(ValidationError, match="condition on receipt"):
        jobs.job_request_receive(
            job=job, received_on=today, due_on=today, by=alice, items=[{"instrument": balance}]
        )
    with pytest.raises(ValidationError, match="before the request"):
        jobs.job_request_receive(
            job=job,
            received_on=today - dt.timedelta(days=1),
            due_on=today,
            by=alice,
            items=[{"instrument": balance, "condition": "Tốt"}],
        )
    assert status_of(job) == JobStatus.REQUESTED


def test_a_request_is_neither_started_nor_returned_before_its_receipt(
    carol, alice, balance, procedure, weights, today
):
    from tests.jobs.conftest import start

    job = jobs.job_request(by=carol, instruments=[balance])
    with pytest.raises(ValidationError, match="record the receipt"):
        start(job.items.get(), technician=alice, procedure=procedure, standard=weights, on=today)
    with pytest.raises(ValidationError, match="record the receipt"):
        jobs.job_return(job=job, returned_on=today, by=alice, reason="x")


def test_the_lab_records_the_receipt_from_the_jobs_page(client, carol, alice, balance, today):
    job = jobs.job_request(by=carol, instruments=[balance], request="Gấp")
    login(client, alice)
    assert f'href="/jobs/{job.pk}/receive/"' in client.get(f"/jobs/{job.pk}/").content.decode()
    page = client.get(f"/jobs/{job.pk}/receive/").content.decode()
    assert "Gấp" in page and f'<option value="{balance.pk}" selected>' in page
    response = client.post(
        f"/jobs/{job.pk}/receive/",
        {
            "received_on": today.isoformat(),
            "due_on": (today + dt.timedelta(days=7)).isoformat(),
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "1",
            "items-0-instrument": str(balance.pk),
            "items-0-condition": "Tốt",
            "items-1-instrument": "",
            "items-1-condition": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert status_of(job) == JobStatus.RECEIVED
    assert job.items.get().condition == "Tốt"


def test_the_customer_cancels_a_request_saying_why_and_it_keeps_its_number(
    client, carol, oscar, balance
):
    job = jobs.job_request(by=carol, instruments=[balance])
    login(client, oscar)
    assert client.post(f"/jobs/{job.pk}/cancel/", {"reason": "x"}).status_code == 404
    client.logout()
    login(client, carol)
    client.post(f"/jobs/{job.pk}/cancel/", {"reason": " "})
    assert status_of(job) == JobStatus.REQUESTED
    client.post(f"/jobs/{job.pk}/cancel/", {"reason": "Đã thanh lý / sold"})
    assert status_of(job) == JobStatus.CANCELLED
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Đã thanh lý / sold" in html and job.number in html
    assert jobs.job_request(by=carol, instruments=[balance]).number != job.number


def test_a_received_job_is_returned_not_cancelled(customer, alice, balance, today):
    job = jobs.job_receive(
        customer=customer,
        received_on=today,
        due_on=today,
        by=alice,
        items=[{"instrument": balance, "condition": "Tốt"}],
    )
    with pytest.raises(ValidationError, match="returned, not cancelled"):
        jobs.job_cancel(job=job, by=alice, reason="x")


def test_the_request_page_sends_a_request_that_appears_among_the_customers_jobs(
    client, carol, balance, scale, today
):
    login(client, carol)
    page = client.get(f"/portal/request/?instrument={scale.pk}").content.decode()
    assert re.search(rf'value="{scale.pk}" id="instrument-{scale.pk}" checked', page)
    assert not re.search(rf'value="{balance.pk}" id="instrument-{balance.pk}" checked', page)
    response = client.post(
        "/portal/request/",
        {
            "instruments": [str(scale.pk)],
            "service": "calibration",
            "wished_on": (today + dt.timedelta(days=5)).isoformat(),
            "request": "Cần trước đợt đánh giá HACCP",
        },
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.items.get().instrument == scale and job.requested_by == carol
    assert board_status(client, job.number) == JobStatus.REQUESTED
    assert job.number in client.get("/portal/").content.decode()  # among the open jobs


def test_the_request_page_shows_the_refusal_and_makes_nothing(client, carol, other_balance):
    login(client, carol)
    response = client.post("/portal/request/", {"service": "calibration", "request": ""})
    assert response.status_code == 200
    assert "Choose at least one of your instruments" in response.content.decode()
    response = client.post(
        "/portal/request/", {"service": "calibration", "instruments": [str(other_balance.pk)]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


def test_the_request_page_refuses_an_id_no_database_holds(client, carol):
    response = login(client, carol).post(
        "/portal/request/", {"instruments": "9" * 25, "service": "calibration"}
    )
    assert response.status_code in (200, 400)
    assert (
        "is not a valid value" in response.content.decode() or "is not" in response.content.decode()
    )
    assert not Job.objects.exists()
