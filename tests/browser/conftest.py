"""A real Chromium (Debian's) driven by Playwright against the live test server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# Playwright's sync API runs an event loop in the test thread; the test thread also builds its
# data through the ORM, which Django refuses beside a running loop unless told it is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def pdftotext():
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return tool


def log_in(page, username, password):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def log_out(page):
    page.click("text=Log out")
    page.wait_for_url("**/login/")


@pytest.fixture(autouse=True)
def _thaw_before_flush(transactional_db):
    """Browser tests commit for real, and Django empties the tables after each; issued rows are
    frozen by triggers (certificates.freezing, standards.freezing), so lift them, remove those rows,
    and put them back."""
    yield
    from django.db import connection

    from calibration.models import Calibration
    from certificates import freezing
    from certificates.models import Certificate, Replacement, Withdrawal
    from standards import freezing as incoming_freezing
    from standards.models import OutOfTolerance, StandardCalibration
    from verification import freezing as verification_freezing
    from verification.models import Mark, Verification

    freezing.uninstall(connection)
    freezing.uninstall_decisions(connection)
    incoming_freezing.uninstall(connection)
    verification_freezing.uninstall(connection)
    try:
        Mark.objects.all().delete()
        Verification.objects.all().delete()
        Withdrawal.objects.all().delete()
        Replacement.objects.all().delete()
        Certificate.objects.all().delete()
        Calibration.objects.all().delete()
        OutOfTolerance.objects.all().delete()
        for incoming in StandardCalibration.objects.order_by("-pk"):
            incoming.delete()  # a newer version protects the one it replaces
    finally:
        freezing.install(connection)
        freezing.install_decisions(connection)
        incoming_freezing.install(connection)
        verification_freezing.install(connection)
