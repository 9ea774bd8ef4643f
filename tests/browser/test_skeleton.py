"""The walking skeleton, end to end in a real browser: from the standard to the customer's PDF."""

import re
import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS, log_in, log_out
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_row(page, row, reference_label, readings):
    page.select_option(f"select[name=p{row}-ref]", label=reference_label)
    first = page.locator(f"input[name=p{row}-r0]")
    first.click()
    for index, value in enumerate(readings):
        page.fill(f"input[name=p{row}-r{index}]", value)


def test_a_result_travels_from_the_standard_to_the_customers_pdf(
    page, pdftotext, alice, rita, carol, oscar, balance, procedure, weights, today, tmp_path
):
    # The technician opens a calibration of the customer's balance with the E2 weights.
    log_in(page, "alice", PASSWORD)
    page.goto(f"/calibrations/new/?instrument={balance.pk}")
    page.select_option("#id_procedure", label=str(procedure))
    page.fill("#id_received_on", today.isoformat())
    page.fill("#id_performed_on", today.isoformat())
    page.fill("#id_temperature", "23.1")
    page.fill("#id_humidity", "55")
    page.check(f"input[name=standards][value='{weights.pk}']")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/calibrations/\d+/$"))

    # Readings typed in the grid; the computed columns appear as they are typed.
    type_row(page, 0, "E2-01 · 100 g (100.000021 g)", ["100,0002", "100.0001", "100.0002"])
    page.wait_for_selector("#result-0 >> text=U =")
    page.wait_for_function("document.querySelector('#result-0').innerText.includes('100.00017')")
    assert "error 0.00015 · U = 0.00011 g (k = 2.23)" in page.inner_text("#result-0")
    page.keyboard.press("Enter")  # Enter moves down the column, as in a spreadsheet
    assert page.evaluate("document.activeElement.name") == "p1-r2"
    type_row(page, 1, "E2-01 · 200 g (199.999965 g)", ["199.9998", "199.9999", "199.9998"])
    page.wait_for_selector("#result-1 >> text=U =")
    page.click("text=Save readings")
    page.wait_for_selector("text=Readings saved.")
    page.click("text=Submit for review")
    page.wait_for_selector("text=Done: the calibration is now submitted.")
    log_out(page)

    # The reviewer, a second person, reviews, approves and issues.
    log_in(page, "rita", PASSWORD)
    page.click("text=Waiting for me")  # the heading is there; open the calibration from the list
    page.click(f"a:has-text('{balance.name}')")
    # reviewing and approving are signatures: the password again
    page.fill("[data-testid=sign] input[name=password]", PASSWORD)
    page.click("button:has-text('Sign: reviewed')")
    page.wait_for_selector("text=Done: the calibration is now reviewed.")
    page.fill("[data-testid=sign] input[name=password]", PASSWORD)
    page.click("button:has-text('Sign: approved')")
    page.wait_for_selector("text=Done: the calibration is now approved.")
    assert page.locator("[data-testid=signatures]").inner_text().count("holds") == 2
    page.click("text=Issue certificate")
    page.wait_for_selector("text=issued.")
    number = re.search(r"HC-\d{4}-\d{5}", page.inner_text("h1")).group(0)
    certificate_url = page.url
    log_out(page)

    # The customer downloads the PDF.
    log_in(page, "carol", PASSWORD)
    page.click(f"text={number}")
    with page.expect_download() as download_info:
        page.click("[data-testid=download-pdf]")
    pdf = tmp_path / f"{number}.pdf"
    download_info.value.save_as(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-certificate.png"), full_page=True)
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert number in text
    assert "GIẤY CHỨNG NHẬN HIỆU CHUẨN" in text and "CALIBRATION CERTIFICATE" in text
    assert "Công ty Cổ phần Cấp nước Sông Đà" in text
    assert "0034512877" in text  # the balance's serial number
    # Results with their expanded uncertainty and k, decimal comma. At 100 g: s̄ = 33 µg (ν = 2),
    # resolution 29 µg, weight 25 µg → u_c = 51 µg, ν_eff = 10, k = t95(10) = 2.23, U = 0.11 mg.
    assert re.search(r"100,000021 g\s+100,00017 g\s+0,00015 g\s+0,00011 g\s+2,23", text), text
    assert "Expanded uncertainty U" in text and "coverage factor" in text
    assert "metrologically traceable" in text and "VMI" in text
    log_out(page)

    # Another customer's user cannot open it.
    log_in(page, "oscar", PASSWORD)
    response = page.goto(certificate_url)
    assert response.status == 404


def test_the_language_switch_turns_the_page_vietnamese(page, carol, issued):
    log_in(page, "carol", PASSWORD)
    assert page.is_visible("text=Your certificates")
    page.click(".lang button[value=vi]")
    page.wait_for_selector("text=Giấy chứng nhận của bạn")
    assert page.get_attribute("html", "lang") == "vi"
    assert page.is_visible("text=Đăng xuất")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer-home-vi.png"), full_page=True)
    page.click(".lang button[value=en]")
    page.wait_for_selector("text=Your certificates")
