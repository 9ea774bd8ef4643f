"""The status board: counts, overdue jobs, turnaround, filters, and queries that do not grow."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs import services as jobs
from tests.conftest import login
from tests.jobs.conftest import advance, make_instrument, receive, start


def add_jobs(customer, by, n, received_on, start_at=0):
    return [
        receive(
            customer=customer,
            by=by,
            instruments=[make_instrument(customer, by, f"B-{start_at + i}")],
            received_on=received_on,
            technician=by,
        )
        for i in range(n)
    ]


def test_the_board_makes_the_same_queries_for_two_jobs_or_twelve(
    client, django_assert_max_num_queries, rita, alice, customer, other_customer, today
):
    add_jobs(customer, alice, 1, today)
    add_jobs(other_customer, alice, 1, today - dt.timedelta(days=20), start_at=50)
    login(client, rita)
    with CaptureQueriesContext(connection) as two:
        assert client.get("/jobs/").status_code == 200
    more = add_jobs(customer, alice, 8, today - dt.timedelta(days=30), start_at=100)
    add_jobs(other_customer, alice, 2, today, start_at=200)
    for job in more[:3]:
        jobs.job_return(job=job, returned_on=today, by=alice, reason="Khách lấy về")
    with django_assert_max_num_queries(len(two)):
        page = client.get("/jobs/").content.decode()
    assert page.count('data-job="') == 12


def test_the_board_counts_each_status_and_marks_overdue_jobs(client, rita, alice, customer, today):
    late = receive(
        customer=customer,
        by=alice,
        instruments=[make_instrument(customer, alice, "L-1")],
        received_on=today - dt.timedelta(days=9),
        due_days=4,
    )
    on_time = receive(
        customer=customer,
        by=alice,
        instruments=[make_instrument(customer, alice, "L-2")],
        received_on=today,
    )
    login(client, rita)
    page = client.get("/jobs/").content.decode()
    assert 'data-testid="count-received">2<' in page
    assert 'data-testid="count-returned">0<' in page
    assert f'data-job="{late.number}" class="overdue"' in page
    assert f'data-job="{on_time.number}">' in page


def test_the_board_shows_the_average_turnaround_of_jobs_returned_in_the_last_90_days(
    client, rita, alice, customer, today
):
    received = [today - dt.timedelta(days=d) for d in (4, 10, 200)]
    for n, on in enumerate(received):
        job = receive(
            customer=customer,
            by=alice,
            instruments=[make_instrument(customer, alice, f"T-{n}")],
            received_on=on,
        )
        # returned after 4, 10 and 100 days; the last one more than 90 days ago
        jobs.job_return(
            job=job,
            returned_on=on + dt.timedelta(days=min((today - on).days, 100)),
            by=alice,
            reason="x",
        )
    login(client, rita)
    page = client.get("/jobs/").content.decode()
    assert "<strong>7.0</strong> days" in page
    assert 'data-testid="count-returned">3<' in page


def test_the_board_filters_by_status_and_by_customer(
    client, rita, alice, customer, other_customer, procedure, weights, today
):
    mine = add_jobs(customer, alice, 2, today)
    theirs = add_jobs(other_customer, alice, 1, today, start_at=10)
    start(mine[0].items.get(), technician=alice, procedure=procedure, standard=weights, on=today)
    login(client, rita)
    page = client.get("/jobs/?status=in_progress").content.decode()
    assert mine[0].number in page and mine[1].number not in page
    assert 'data-status="received"' not in page
    page = client.get(f"/jobs/?customer={other_customer.pk}").content.decode()
    assert theirs[0].number in page and mine[0].number not in page
    for nonsense in ("?status=lost", "?customer=x", "?page=zz", "?customer=999999"):
        assert client.get(f"/jobs/{nonsense}").status_code == 200


def test_the_job_page_shows_status_turnaround_and_items(
    client, job, rita, alice, procedure, weights, today
):
    calibration = start(
        job.items.get(), technician=alice, procedure=procedure, standard=weights, on=today
    )
    advance(calibration, to="submitted", technician=alice, reviewer=rita)
    login(client, rita)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="status">Awaiting review<' in page
    assert 'data-testid="turnaround">0 days<' in page
    assert f"/calibrations/{calibration.pk}/" in page and "Submitted" in page
    assert f"/history/job/{job.pk}/" in page
    assert client.get(f"/history/job/{job.pk}/").status_code == 200
    assert client.get(f"/history/job-item/{job.items.get().pk}/").status_code == 200
