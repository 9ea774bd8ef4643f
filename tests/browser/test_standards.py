"""A technician cannot pick a standard that is overdue: the page greys it out, the server refuses."""

import datetime as dt

import pytest

from calibration.models import Calibration
from standards.services import standard_calibration_record, standard_register
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(quinn, vmi, national_mass, today):
    standard = standard_register(
        by=quinn, asset_number="F1-07", name="Quả cân F1 1 kg", quantity="mass", unit="g"
    )
    standard_calibration_record(
        standard=standard,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.25.0777",
        calibrated_on=today - dt.timedelta(days=400),
        due_on=today - dt.timedelta(days=10),
        by=quinn,
        values=[
            {
                "label": "1 kg",
                "nominal": "1000",
                "value": "1000.0012",
                "expanded_uncertainty": "0.005",
            }
        ],
    )
    return standard


def test_a_technician_cannot_pick_an_overdue_standard(
    page, alice, balance, procedure, weights, overdue, today
):
    log_in(page, "alice", PASSWORD)
    page.goto(f"/calibrations/new/?instrument={balance.pk}")
    overdue_box = page.locator(f"input[name=standards][value='{overdue.pk}']")
    usable_box = page.locator(f"input[name=standards][value='{weights.pk}']")
    assert overdue_box.is_disabled()
    assert usable_box.is_enabled()
    label = page.locator(f"label:has(input[value='{overdue.pk}'])").inner_text()
    due = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert "overdue" in label and "V01.25.0777" in label and due in label

    # Even a page tampered with to tick it is refused by the server, with the same reason.
    page.evaluate(
        "box => { box.disabled = false; box.checked = true; }", overdue_box.element_handle()
    )
    page.select_option("#id_procedure", label=str(procedure))
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_performed_on", today.isoformat())
    page.fill("#id_temperature", "23.0")
    page.fill("#id_humidity", "50")
    page.click("main button[type=submit]")
    page.wait_for_selector(".errors >> text=is overdue")
    assert (
        f"Standard F1-07 Quả cân F1 1 kg is overdue: its calibration V01.25.0777 was due on {due}."
        in page.inner_text(".errors")
    )
    assert not Calibration.objects.exists()
