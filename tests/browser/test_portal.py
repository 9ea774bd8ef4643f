"""A customer's user follows their instruments in the portal and asks for a calibration."""

import datetime as dt
import re

import pytest
from openpyxl import load_workbook

from jobs.models import Job
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.portal.conftest import build_fleet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fleet(customer, carol, alice, rita, procedure, weights, today):
    return build_fleet(customer, carol, alice, rita, procedure, weights, today)


def test_a_customer_finds_what_is_overdue_exports_it_and_asks_for_its_calibration(
    page, fleet, carol, today, tmp_path
):
    overdue = fleet["overdue"]
    log_in(page, "carol", PASSWORD)

    # Home leads to the portal: all the instruments, with a count per state.
    page.click("[data-testid=portal-summary] >> text=All your instruments and due dates")
    page.wait_for_url("**/portal/")
    assert page.locator("tr[data-instrument]").count() == 8
    assert page.inner_text("[data-testid=count-overdue] .n") == "1"

    # Only the overdue ones, flagged out of tolerance.
    page.click("[data-testid=count-overdue]")
    page.wait_for_url("**/portal/?state=overdue")
    rows = page.locator("tr[data-instrument]")
    assert rows.count() == 1
    assert rows.get_attribute("data-instrument") == str(overdue.pk)
    assert "Out of tolerance" in rows.inner_text() and "days overdue" in rows.inner_text()

    # The same list in Excel.
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    data = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data) == 1 and "overdue" in data[0]

    # Ask for the calibration of what is overdue: the form comes with it ticked.
    page.click("[data-testid=request]")
    page.wait_for_url(re.compile(r"/portal/request/\?instrument="))
    assert page.is_checked(f"#instrument-{overdue.pk}")
    assert page.is_disabled(f"#instrument-{fleet['in_lab'].pk}")  # already in the lab
    page.fill("#id_wished_on", (today + dt.timedelta(days=10)).isoformat())
    page.fill("#id_request", "Kèm 1 nhiệt kế Testo 110, S/N 44120 / with a thermometer")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.get(requested_by=carol, items__instrument=overdue)
    assert job.number in page.inner_text("h1")
    assert "Requested" in page.inner_text("[data-testid=status]")

    # It is on their jobs list, as requested, and the instrument now shows it.
    page.goto("/jobs/")
    assert page.locator(f"#status-requested tr[data-job='{job.number}']").count() == 1
    page.goto("/portal/")
    row = page.locator(f"tr[data-instrument='{overdue.pk}']")
    assert row.get_attribute("data-state") == "requested" and job.number in row.inner_text()
