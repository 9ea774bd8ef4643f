"""A technician enters a whole calibration with the keyboard alone, pastes a block from a
spreadsheet, closes the tab midway and finds every reading there on return."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from calibration import services as cal
from calibration.models import EntryDraft
from standards.services import standard_calibration_record, standard_register
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOMINALS = [str(10 * n) for n in range(1, 11)]  # 10 g … 100 g


@pytest.fixture
def ten_point_calibration(quinn, vmi, national_mass, balance, procedure, alice, today):
    """A set of ten F1 weights calibrated by VMI, and a balance range agreed at their nominals."""
    weights = standard_register(
        by=quinn, asset_number="F1-10", name="Bộ quả cân F1", quantity="mass", unit="g"
    )
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national_mass,
        certificate_number="V01.26.0110",
        calibrated_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=335),
        by=quinn,
        values=[
            {
                "label": f"{nominal} g",
                "nominal": nominal,
                "value": f"{nominal}.00002",
                "expanded_uncertainty": "0.00006",
            }
            for nominal in NOMINALS
        ],
    )
    cal.instrument_range_add(
        instrument=balance,
        procedure=procedure,
        by=alice,
        name="0 – 120 g",
        points=NOMINALS,
        tolerance_abs=Decimal("0.001"),
    )
    return cal.calibration_create(
        instrument=balance,
        procedure=procedure,
        by=alice,
        received_on=today,
        performed_on=today,
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[weights],
    )


def readings_at(row):
    """Five readings of row `row` as typed, some with a comma and trailing zeros."""
    base = 10 * (row + 1)
    return [f"{base}.0001", f"{base},0002", f"{base}.0001", f"{base},00020", f"{base}.0000"]


def stored_as(typed):
    return typed.replace(",", ".")


def active_name(page):
    return page.evaluate("document.activeElement && document.activeElement.name")


def paste(page, text):
    """What Ctrl+V does with a block copied from a spreadsheet: a paste event with text/plain."""
    page.evaluate(
        """text => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            document.activeElement.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def value(page, name):
    return page.input_value(f"[name='{name}']")


def test_a_calibration_is_entered_with_the_keyboard_alone(
    browser, live_server, alice, ten_point_calibration
):
    calibration = ten_point_calibration
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/calibrations/{calibration.pk}/")

    # Every agreed nominal has its row with the weight of that nominal chosen; the cursor waits
    # in the first empty reading.
    assert page.locator("tr[data-row]").count() == 12  # ten points and two spare rows
    assert (
        page.locator("select[name=p9-ref] option:checked").inner_text().startswith("F1-10 · 100 g")
    )
    assert active_name(page) == "p0-r0"

    # Rows 1–5 along each row: the readings and Tab, then Tab over the next reference value.
    for row in range(5):
        for reading in readings_at(row):
            page.keyboard.type(reading)
            page.keyboard.press("Tab")
        assert active_name(page) == f"p{row + 1}-ref"
        page.keyboard.press("Tab")
    assert active_name(page) == "p5-r0"
    # the computed cells follow the typing
    page.wait_for_function("document.querySelector('#result-0').innerText.includes('U =')")
    assert page.inner_text("tr[data-row='0'] td[data-cell=mean]").startswith("10.0001")
    assert "Pass" in page.inner_text("tr[data-row='0'] td[data-cell=verdict]")

    # The tab is closed midway, without waiting for anything.
    page.close()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/calibrations/{calibration.pk}/")
    for row in range(5):
        assert [value(page, f"p{row}-r{j}") for j in range(5)] == readings_at(row)
    assert active_name(page) == "p5-r0"

    # Rows 6–8 down the columns: Enter goes down, Shift+Enter up, Tab to the next column.
    for j in range(5):
        order = [5, 6, 7] if j % 2 == 0 else [7, 6, 5]
        for step, row in enumerate(order):
            page.keyboard.type(readings_at(row)[j])
            if step < 2:
                page.keyboard.press("Enter" if j % 2 == 0 else "Shift+Enter")
        assert active_name(page) == f"p{order[-1]}-r{j}"
        page.keyboard.press("Tab")
    assert active_name(page) == "p8-ref"
    page.keyboard.press("Tab")
    assert active_name(page) == "p8-r0"

    # A block too wide for the row is refused whole, with its shape and what fits.
    page.keyboard.press("ArrowRight")  # an empty cell: the arrow moves to the next one
    page.keyboard.press("ArrowRight")
    assert active_name(page) == "p8-r2"
    paste(page, "1\t2\t3\t4\t5\t6\t7\n1\t2\t3\t4\t5\t6\t7\n")
    assert page.inner_text("#entry-message") == (
        "The block has 7 columns but only 3 reading cells remain in this row; nothing was pasted."
    )
    assert [value(page, f"p8-r{j}") for j in range(5)] == [""] * 5
    # … and one too long for the section likewise.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert active_name(page) == "p11-r2"
    paste(page, "1\t2\n3\t4\n")
    assert "The block has 2 rows but only 1 rows remain in this section" in page.inner_text(
        "#entry-message"
    )
    assert value(page, "p11-r2") == ""

    # Rows 9 and 10 pasted as a block copied from a spreadsheet, from the first reading.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert active_name(page) == "p8-r0"
    paste(page, "\r\n".join("\t".join(readings_at(row)) for row in (8, 9)) + "\r\n")
    assert page.inner_text("#entry-message") == ""
    for row in (8, 9):
        assert [value(page, f"p{row}-r{j}") for j in range(5)] == readings_at(row)
    page.wait_for_function("document.querySelector('#result-9').innerText.includes('U =')")

    # Ctrl+S saves; the ten points are kept with their five readings each, as typed.
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=Readings saved.")
    points = list(calibration.points.order_by("position").select_related("reference"))
    assert [p.reference.label for p in points] == [f"{n} g" for n in NOMINALS]
    assert [p.readings for p in points] == [
        [stored_as(r) for r in readings_at(row)] for row in range(10)
    ]
    assert all(p.result["decision"] for p in points)
    assert not EntryDraft.objects.filter(calibration=calibration).exists()
    # nothing comes back from this browser over the saved readings
    page.reload()
    assert "restored" not in page.inner_text("#entry")
    assert value(page, "p0-r1") == "10.0002"
    context.close()


def test_readings_typed_offline_are_kept_and_sent_when_the_connection_returns(
    browser, live_server, alice, ten_point_calibration
):
    calibration = ten_point_calibration
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "alice", PASSWORD)
    page.goto(f"/calibrations/{calibration.pk}/")
    context.set_offline(True)
    page.keyboard.type("10,0003")
    page.keyboard.press("Tab")
    page.keyboard.type("1,2,3")
    page.wait_for_selector("#entry-status >> text=Offline: kept in this browser")
    page.close()
    assert not EntryDraft.objects.exists()

    context.set_offline(False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/calibrations/{calibration.pk}/")
    assert value(page, "p0-r0") == "10,0003"
    assert value(page, "p0-r1") == "1,2,3"
    page.wait_for_selector("#entry-status >> text=Draft saved")
    cells = EntryDraft.objects.get(calibration=calibration).cells
    assert (cells["p0-r0"], cells["p0-r1"]) == ("10,0003", "1,2,3")
    # the bad cell says why, next to it
    page.wait_for_selector("#p0-r1-msg >> text=is not a number")
    assert page.get_attribute("#p0-r1", "aria-invalid") == "true"
    assert re.search(r"Draft saved \d\d:\d\d:\d\d", page.inner_text("#entry-status"))
    context.close()
