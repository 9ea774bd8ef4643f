"""The dashboard: every instrument with its last certificate, verdict, interval, due date and state."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calibration import services as cal
from calibration.models import Calibration
from jobs.services import job_receive, job_request
from portal.due import (
    InstrumentState,
    Verdict,
    add_months,
    instrument_rows,
    verdict_flags,
    verdict_of,
)
from tests.conftest import login
from tests.portal.conftest import calibrated, recall, register


def rows_by_serial(customer, today):
    return {row.instrument.serial_number: row for row in instrument_rows(customer, today=today)}


def test_every_instrument_gets_the_state_that_applies(fleet, customer, today):
    rows = rows_by_serial(customer, today)
    assert {serial: row.state for serial, row in rows.items()} == {
        name: name for name in InstrumentState.values
    }


def test_the_due_date_is_the_last_calibration_plus_the_customers_interval(fleet, customer, today):
    rows = rows_by_serial(customer, today)
    overdue = rows["overdue"]
    assert overdue.calibration.performed_on == today - dt.timedelta(days=45)
    assert overdue.due_on == add_months(today - dt.timedelta(days=45), 1)
    assert overdue.days_left == (overdue.due_on - today).days < 0
    assert overdue.days_overdue == -overdue.days_left
    assert rows["due_soon"].due_on == add_months(today - dt.timedelta(days=45), 2)
    assert 0 <= rows["due_soon"].days_left <= 30
    assert rows["in_force"].due_on == add_months(today - dt.timedelta(days=10), 12)
    assert rows["no_interval"].due_on is None and rows["no_interval"].calibration is not None
    assert rows["never"].due_on is None and rows["never"].calibration is None


def test_the_certificate_shown_is_that_of_the_latest_issued_calibration(
    fleet, customer, alice, rita, procedure, weights, today
):
    instrument = fleet["in_force"]
    older = rows_by_serial(customer, today)["in_force"].certificate
    newer = calibrated(
        instrument,
        on=today - dt.timedelta(days=2),
        procedure=procedure,
        standard=weights,
        technician=alice,
        reviewer=rita,
    )
    # and a draft after it, unissued, is in the lab but shows no result
    row = rows_by_serial(customer, today)["in_force"]
    assert row.certificate == newer != older
    assert row.due_on == add_months(today - dt.timedelta(days=2), 12)
    from tests.conftest import open_calibration

    open_calibration(
        instrument=instrument, procedure=procedure, standard=weights, technician=alice, on=today
    )
    row = rows_by_serial(customer, today)["in_force"]
    assert row.certificate == newer
    assert row.state == InstrumentState.IN_LAB


def test_a_corrected_certificate_gives_way_to_its_replacement_and_a_withdrawn_one_says_so(
    fleet, customer, alice, rita, today
):
    from calibration import workflow as flow
    from certificates.revisions import certificate_replace
    from certificates.services import certificate_issue
    from tests.conftest import PASSWORD

    old = rows_by_serial(customer, today)["in_force"].certificate
    correction = certificate_replace(
        certificate=old, by=rita, password=PASSWORD, reason="Typo", changes="Serial number"
    ).calibration
    assert rows_by_serial(customer, today)["in_force"].certificate == old  # until it is issued
    # and the instrument is with the customer, not in the lab, while its certificate is corrected
    assert rows_by_serial(customer, today)["in_force"].state == InstrumentState.IN_FORCE
    flow.calibration_submit(calibration=correction, by=alice)
    flow.calibration_review(calibration=correction, by=rita, password=PASSWORD)
    flow.calibration_approve(calibration=correction, by=rita, password=PASSWORD)
    new = certificate_issue(calibration=correction, by=rita)
    row = rows_by_serial(customer, today)["in_force"]
    assert row.certificate == new and row.state == InstrumentState.IN_FORCE
    withdrawn = rows_by_serial(customer, today)["withdrawn"]
    assert withdrawn.state == InstrumentState.WITHDRAWN and withdrawn.due_on is None


def test_a_point_failing_as_left_puts_the_instrument_out_of_tolerance(fleet, customer, today):
    rows = rows_by_serial(customer, today)
    assert rows["overdue"].verdict == Verdict.OUT_OF_TOLERANCE  # ± 0.00005 g: fails
    assert rows["due_soon"].verdict == Verdict.IN_TOLERANCE  # ± 0.001 g: passes
    assert rows["in_force"].verdict is None  # no tolerance: no statement


def test_found_out_of_tolerance_then_adjusted_is_flagged_apart(
    customer, alice, procedure, weights, today
):
    instrument = register(customer, alice, "ADJ-1")
    cal.instrument_range_add(
        instrument=instrument, procedure=procedure, by=alice, tolerance_abs=Decimal("0.0005")
    )
    calibration = cal.calibration_create(
        instrument=instrument,
        procedure=procedure,
        by=alice,
        received_on=today,
        performed_on=today,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[weights],
        adjustment="adjusted",
    )
    (section,) = cal.ranges_of(calibration)
    refs = {v.label: v for v in cal.allowed_references(calibration)}

    def save(found):
        cal.calibration_set_points(
            calibration=calibration,
            rows=[
                cal.Row(section, "as_found", refs["100 g"], found),
                cal.Row(section, "as_left", refs["100 g"], ["100.0001", "100.0000", "100.0001"]),
            ],
            by=alice,
        )
        return verdict_of(Calibration.objects.annotate(**verdict_flags()).get(pk=calibration.pk))

    assert save(["100.0030", "100.0031", "100.0030"]) == Verdict.ADJUSTED  # 3 mg off as found
    assert save(["100.0002", "100.0001", "100.0002"]) == Verdict.IN_TOLERANCE


def test_the_page_counts_each_state_and_filters_by_it(client, fleet, carol):
    login(client, carol)
    html = client.get("/portal/").content.decode()
    for state in InstrumentState.values:
        assert re.search(rf'data-testid="count-{state}">[^<]+<span class="n">1</span>', html), state
    assert html.count("data-instrument=") == 8

    html = client.get("/portal/?state=overdue").content.decode()
    assert re.findall(r'data-instrument="(\d+)"', html) == [str(fleet["overdue"].pk)]
    assert "Out of tolerance" in html
    # the counts stay those of the whole fleet
    assert re.search(r'data-testid="count-in_force">[^<]+<span class="n">1</span>', html)


def test_the_list_is_sorted_by_due_date_those_without_one_last(client, fleet, carol):
    html = login(client, carol).get("/portal/").content.decode()
    order = re.findall(r'data-state="(\w+)"', html.split('data-testid="instruments"')[1])
    assert order[:3] == ["overdue", "due_soon", "in_force"]
    assert set(order[3:]) == {"no_interval", "never", "in_lab", "requested", "withdrawn"}
    html = client.get("/portal/?sort=name").content.decode()
    order = re.findall(r'data-state="(\w+)"', html.split('data-testid="instruments"')[1])
    assert order == sorted(order)  # the names are the states here


def test_a_search_finds_an_instrument_by_serial_number_or_the_customers_id(
    client, customer, carol, alice
):
    register(customer, alice, "SN-7781", customer_asset_id="QA-BAL-03")
    register(customer, alice, "SN-0001")
    login(client, carol)
    for text in ("7781", "qa-bal"):
        html = client.get(f"/portal/?q={text}").content.decode()
        assert "SN-7781" in html and "SN-0001" not in html


def test_the_page_links_each_certificate_its_pdf_and_dcc(client, fleet, customer, carol, today):
    certificate = rows_by_serial(customer, today)["overdue"].certificate
    html = login(client, carol).get("/portal/").content.decode()
    for url in ("/certificates/{}/", "/certificates/{}/pdf/", "/certificates/{}/dcc/"):
        assert f'href="{url.format(certificate.pk)}"' in html


def test_the_customers_home_leads_to_the_portal_with_the_counts(client, fleet, carol):
    html = login(client, carol).get("/").content.decode()
    assert 'href="/portal/?state=overdue"' in html
    assert re.search(r'data-testid="home-count-overdue">[^<]+<strong>1</strong>', html)
    assert "overdue" in html.split('data-testid="portal-summary"')[1].split("</table>")[0]
    assert 'href="/portal/"' in html  # and in the menu


def test_lab_staff_open_a_customers_portal_read_only(client, fleet, customer, rita):
    login(client, rita)
    chooser = client.get("/portal/").content.decode()
    assert f'<option value="{customer.pk}">' in chooser
    html = client.get(f"/portal/?customer={customer.pk}").content.decode()
    assert 'data-testid="staff-view"' in html
    assert html.count("data-instrument=") == 8
    assert "/recall/" not in html and 'href="/portal/request/' not in html
    assert f"customer={customer.pk}&amp;state=overdue" in html  # filters keep the customer


def build(customer, carol, alice, rita, procedure, weights, today, n):
    """`n` instruments: every fifth issued (with an interval), others in jobs, requested, or new."""
    received, asked = [], []
    for k in range(n):
        instrument = register(customer, alice, f"Q-{n}-{k}")
        if k % 5 == 0:
            calibrated(
                instrument,
                on=today,
                procedure=procedure,
                standard=weights,
                technician=alice,
                reviewer=rita,
                tolerance=Decimal("0.001"),
            )
            recall(instrument, carol, 12)
        elif k % 5 == 1:
            received.append({"instrument": instrument, "condition": "Tốt"})
        elif k % 5 == 2:
            asked.append(instrument)
    if received:
        job_receive(
            customer=customer,
            received_on=today,
            due_on=today,
            by=alice,
            items=received,
        )
    if asked:
        job_request(by=carol, instruments=asked)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("url", ["/portal/", "/portal/instruments.xlsx", "/"])
def test_the_queries_do_not_grow_with_the_instruments(
    client, customer, carol, alice, rita, procedure, weights, today, url
):
    login(client, carol)
    build(customer, carol, alice, rita, procedure, weights, today, 3)
    few = queries(client, url)
    build(customer, carol, alice, rita, procedure, weights, today, 27)
    assert len(instrument_rows(customer, today=today)) == 30
    assert queries(client, url) == few
