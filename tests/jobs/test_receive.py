"""Receiving a job: consecutive numbers per year, and every bad input refused whole."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jobs import services as jobs
from jobs.models import Job, JobCounter, JobItem
from tests.conftest import login
from tests.jobs.conftest import make_instrument, receive


@pytest.fixture
def scale(customer, alice):
    return make_instrument(customer, alice, "X-1")


def nothing_saved():
    return not Job.objects.exists() and not JobItem.objects.exists()


def test_numbers_are_consecutive_within_a_year_and_start_again_each_year(
    customer, balance, scale, alice, today
):
    first = receive(customer=customer, by=alice, instruments=[balance], received_on=today)
    second = receive(customer=customer, by=alice, instruments=[scale], received_on=today)
    last_year = receive(
        customer=customer,
        by=alice,
        instruments=[make_instrument(customer, alice, "X-2")],
        received_on=today.replace(year=today.year - 1, day=1),
    )
    year = today.year
    assert [first.number, second.number] == [f"TN-{year}-00001", f"TN-{year}-00002"]
    assert last_year.number == f"TN-{year - 1}-00001"


def test_a_refused_job_does_not_use_a_number(customer, balance, other_balance, alice, today):
    with pytest.raises(ValidationError):
        receive(customer=customer, by=alice, instruments=[other_balance], received_on=today)
    assert not JobCounter.objects.filter(last__gt=0).exists()
    job = receive(customer=customer, by=alice, instruments=[balance], received_on=today)
    assert job.number == f"TN-{today.year}-00001"


def test_the_job_records_who_received_it_with_its_items(job, alice, balance):
    assert job.received_by == alice
    assert [item.instrument for item in job.items.all()] == [balance]
    assert job.history.earliest().history_user == alice
    assert job.items.get().history.earliest().history_user == alice


def test_a_due_date_before_the_date_received_is_refused(customer, balance, alice, today):
    with pytest.raises(ValidationError, match="due date cannot be before the date received"):
        receive(customer=customer, by=alice, instruments=[balance], received_on=today, due_days=-1)
    assert nothing_saved()


def test_an_instrument_of_another_customer_is_refused_by_name(
    customer, balance, other_balance, alice, today
):
    with pytest.raises(ValidationError) as refusal:
        receive(
            customer=customer, by=alice, instruments=[balance, other_balance], received_on=today
        )
    assert refusal.value.messages == [
        "Row 2: Cân kỹ thuật GX-6100 S/N 6A-1 belongs to Phân bón MN, not to Sông Đà Water."
    ]
    assert nothing_saved()


def test_a_job_without_instruments_is_refused(customer, alice, today):
    with pytest.raises(ValidationError, match="at least one instrument"):
        receive(customer=customer, by=alice, instruments=[], received_on=today)
    assert nothing_saved()


def test_the_same_instrument_twice_in_a_job_is_refused(customer, balance, alice, today):
    with pytest.raises(ValidationError, match="Row 2: .* is already in this job"):
        receive(customer=customer, by=alice, instruments=[balance, balance], received_on=today)
    assert nothing_saved()


def test_an_instrument_in_an_open_job_cannot_be_received_again_until_it_is_returned(
    job, customer, balance, alice, today
):
    with pytest.raises(ValidationError, match=f"still in job {job.number}, not yet returned"):
        receive(customer=customer, by=alice, instruments=[balance], received_on=today)
    assert Job.objects.count() == 1
    jobs.job_return(job=job, returned_on=today, by=alice, reason="Khách hàng rút yêu cầu")
    again = receive(customer=customer, by=alice, instruments=[balance], received_on=today)
    assert again.number.endswith("00002")


def test_a_date_received_in_the_future_is_refused(customer, balance, alice, today):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        receive(
            customer=customer,
            by=alice,
            instruments=[balance],
            received_on=today + dt.timedelta(days=1),
        )


def test_the_requester_must_be_a_user_of_the_customer(customer, balance, alice, oscar, today):
    with pytest.raises(ValidationError, match="is not a user of Sông Đà Water"):
        receive(
            customer=customer,
            by=alice,
            instruments=[balance],
            received_on=today,
            requested_by=oscar,
        )


@pytest.mark.parametrize("persona", ["quinn", "carol"])
def test_only_staff_with_job_edit_may_receive(request, persona, customer, balance, today):
    with pytest.raises(PermissionDenied):
        receive(
            customer=customer,
            by=request.getfixturevalue(persona),
            instruments=[balance],
            received_on=today,
        )


def test_a_job_is_assigned_only_to_an_active_technician(job, alice, bob, rita):
    jobs.job_assign(job=job, technician=bob, by=rita)
    job.refresh_from_db()
    assert job.technician == bob
    with pytest.raises(ValidationError, match="not an active technician"):
        jobs.job_assign(job=job, technician=rita, by=alice)
    bob.is_active = False
    bob.save()
    with pytest.raises(ValidationError, match="not an active technician"):
        jobs.job_assign(job=job, technician=bob, by=alice)


# --- The page -----------------------------------------------------------------------------------


def post_job(client, customer, rows, today, due_days=7):
    data = {
        "customer": customer.pk,
        "received_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=due_days)).isoformat(),
        "technician": "",
        "customer_reference": "PO-1",
        "notes": "",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
    }
    for index, (instrument, condition) in enumerate(rows):
        data[f"items-{index}-instrument"] = instrument.pk
        data[f"items-{index}-condition"] = condition
    return client.post("/jobs/new/", data)


def test_the_page_receives_a_job_with_several_instruments(
    client, alice, customer, balance, scale, today
):
    login(client, alice)
    assert client.get(f"/jobs/new/?customer={customer.pk}").status_code == 200
    response = post_job(client, customer, [(balance, "Tốt"), (scale, "Trầy xước")], today)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert [i.condition for i in job.items.order_by("pk")] == ["Tốt", "Trầy xước"]


@pytest.mark.parametrize(
    "case, message",
    [
        ("due before received", "The due date cannot be before the date received."),
        ("another customer's", "belongs to Phân bón MN, not to Sông Đà Water."),
        ("no instrument", "A job needs at least one instrument."),
        ("twice", "is already in this job."),
    ],
)
def test_the_page_shows_why_a_job_is_refused_and_saves_nothing(
    client, alice, customer, balance, other_balance, today, case, message
):
    rows = {
        "due before received": [(balance, "Tốt")],
        "another customer's": [(other_balance, "Tốt")],
        "no instrument": [],
        "twice": [(balance, "Tốt"), (balance, "Tốt")],
    }[case]
    login(client, alice)
    response = post_job(client, customer, rows, today, due_days=-3 if "due" in case else 7)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_saved()


def test_the_page_survives_nonsense(client, alice, customer, today):
    login(client, alice)
    response = client.post(
        "/jobs/new/", {"customer": "x", "items-TOTAL_FORMS": "zz", "items-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 200
    assert client.get("/jobs/new/?customer=abc").status_code == 200
    assert nothing_saved()
