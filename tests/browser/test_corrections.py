"""Correcting an issued certificate in a real browser: the reviewer opens the correction, the
technician submits the copy, the reviewer signs and issues it, and the customer and the public
page see the old certificate superseded by the new one."""

import re

import pytest

from certificates.models import Certificate
from tests.browser.conftest import log_in, log_out
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_certificate_is_corrected_and_the_old_one_shows_superseded(page, issued, carol):
    log_in(page, "rita", PASSWORD)
    page.goto(f"/certificates/{issued.pk}/")
    assert page.inner_text("[data-testid=certificate-status]") == "In force"
    page.click("text=Correct this certificate (amend or replace)")
    page.fill("#id_replace_reason", "Serial number misprinted")
    page.fill("#id_changes", "Serial number 6A-1 → 6A-11")
    page.fill("#id_replace_password", "not my password")
    page.click("button:has-text('Open the correction')")
    page.wait_for_selector("text=The password is not right")
    assert page.url.endswith(f"/certificates/{issued.pk}/")
    page.click("text=Correct this certificate (amend or replace)")
    page.fill("#id_replace_reason", "Serial number misprinted")
    page.fill("#id_changes", "Serial number 6A-1 → 6A-11")
    page.fill("#id_replace_password", PASSWORD)
    page.click("button:has-text('Open the correction')")
    page.wait_for_url(re.compile(r"/calibrations/\d+/$"))
    assert f"replacement of certificate {issued.number}" in page.inner_text(
        "[data-testid=correction]"
    )
    correction = page.url
    log_out(page)

    log_in(page, "alice", PASSWORD)
    page.goto(correction)
    page.click("text=Submit for review")
    page.wait_for_selector("text=Done: the calibration is now submitted.")
    log_out(page)

    log_in(page, "rita", PASSWORD)
    page.goto(correction)
    for meaning in ("reviewed", "approved"):
        page.fill("[data-testid=sign] input[name=password]", PASSWORD)
        page.click(f"button:has-text('Sign: {meaning}')")
        page.wait_for_selector(f"text=Done: the calibration is now {meaning}.")
    page.click("text=Issue certificate")
    page.wait_for_url(re.compile(r"/certificates/\d+/$"))
    successor = Certificate.objects.exclude(pk=issued.pk).get()
    assert successor.number in page.inner_text("h1")
    assert issued.number in page.inner_text("[data-testid=replaces]")
    log_out(page)

    log_in(page, "carol", PASSWORD)
    page.goto("/certificates/")
    row = page.locator("tr", has_text=issued.number)
    assert row.locator("[data-testid=certificate-status]").inner_text() == "Superseded"
    page.click(f"a:has-text('{issued.number}')")
    assert successor.number in page.inner_text("[data-testid=superseded]")
    log_out(page)

    page.goto(f"/verify/{issued.token}/")
    assert f"Superseded by certificate {successor.number}" in page.inner_text(
        "[data-testid=status]"
    )
