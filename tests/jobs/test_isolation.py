"""A customer user sees their own jobs, without the lab's notes; another customer's is a 404."""

import pytest

from tests.conftest import login


def test_a_customer_user_sees_their_jobs_on_the_board_and_no_one_elses(client, job, carol, oscar):
    page = login(client, carol).get("/jobs/").content.decode()
    assert job.number in page
    page = login(client, oscar).get("/jobs/").content.decode()
    assert job.number not in page
    assert 'data-testid="count-received">0<' in page


def test_another_customers_job_is_404_on_the_page_and_in_the_api(client, job, oscar):
    login(client, oscar)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 404
    assert client.get("/api/jobs/").json()["results"] == []


def test_the_customer_sees_the_job_but_not_the_internal_notes(client, job, carol, rita):
    page = login(client, carol).get(f"/jobs/{job.pk}/").content.decode()
    assert job.number in page and "PO-2026-117" in page
    assert "Khách hàng gấp" not in page and "/history/" not in page
    assert "Start calibration" not in page and "/return/" not in page
    page = login(client, rita).get(f"/jobs/{job.pk}/").content.decode()
    assert "Khách hàng gấp" in page


@pytest.mark.parametrize("persona", ["carol", "oscar", "quinn"])
def test_who_may_not_edit_jobs_is_refused_every_change(request, client, job, persona, bob, today):
    login(client, request.getfixturevalue(persona))
    item = job.items.get()
    assert client.get("/jobs/new/").status_code == 403
    assert client.get(f"/jobs/items/{item.pk}/start/").status_code == 403
    assert client.post(f"/jobs/{job.pk}/assign/", {"technician": bob.pk}).status_code == 403
    assert client.post(f"/jobs/{job.pk}/return/", {"returned_on": today}).status_code == 403
    job.refresh_from_db()
    assert job.technician is None and job.returned_on is None


def test_a_reviewer_may_receive_jobs_but_not_start_a_calibration(client, job, rita):
    login(client, rita)
    assert client.get("/jobs/new/").status_code == 200
    assert client.get(f"/jobs/items/{job.items.get().pk}/start/").status_code == 403


def test_the_api_gives_the_job_with_its_status_and_items(client, job, carol, balance):
    login(client, carol)
    (row,) = client.get("/api/jobs/").json()["results"]
    assert row["number"] == job.number
    assert row["status"] == "received"
    assert row["turnaround_days"] == 0 and row["overdue"] is False
    assert row["items"] == [
        {
            "id": job.items.get().pk,
            "instrument": balance.pk,
            "condition": "Tốt, tem niêm phong nguyên vẹn",
            "accessories": "",
            "procedure": None,
            "calibration": None,
            "calibration_state": None,
        }
    ]
    assert "notes" not in row
    assert client.get(f"/api/jobs/{job.pk}/").json() == row
