"""The read API under /api/: who gets what, scoped by role exactly as the pages are.

The lab is the one of tests/lims/test_access.py, built once for this module.
"""

import base64

import pytest

from calibration.models import Calibration, Instrument
from certificates.models import Certificate
from lims.models import Customer
from standards.models import Standard
from tests.conftest import PASSWORD, login
from tests.lims.test_access import PERSONAS, build_lab, kept_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def lab(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_lab()


def basic(username, password=PASSWORD):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def ids_listed(response):
    body = response.json()
    assert body["next"] is None  # everything on one page, or the comparison below would lie
    return {row["id"] for row in body["results"]}


# fmt: off
ENDPOINTS = [
    # name                              url                                      alice bob  rita quinn adam carol oscar
    ("customer_list",                   "/api/customers/",                       (200, 200, 200, 200, 200, 200, 200)),
    ("customer",                        "/api/customers/{customer}/",            (200, 200, 200, 200, 200, 200, 404)),
    ("customer_of_other_customer",      "/api/customers/{other_customer}/",      (200, 200, 200, 200, 200, 404, 200)),
    ("standard_list",                   "/api/standards/",                       (200, 200, 200, 200, 200, 403, 403)),
    ("standard",                        "/api/standards/{weights}/",             (200, 200, 200, 200, 200, 403, 403)),
    ("instrument_list",                 "/api/instruments/",                     (200, 200, 200, 200, 200, 200, 200)),
    ("instrument",                      "/api/instruments/{balance}/",           (200, 200, 200, 200, 200, 200, 404)),
    ("instrument_of_other_customer",    "/api/instruments/{other_balance}/",     (200, 200, 200, 200, 200, 404, 200)),
    ("calibration_list",                "/api/calibrations/",                    (200, 200, 200, 200, 200, 200, 200)),
    ("calibration",                     "/api/calibrations/{issued}/",           (200, 200, 200, 200, 200, 200, 404)),
    ("calibration_draft",               "/api/calibrations/{draft}/",            (200, 200, 200, 200, 200, 200, 404)),
    ("calibration_of_other_customer",   "/api/calibrations/{other_issued}/",     (200, 200, 200, 200, 200, 404, 200)),
    ("certificate_list",                "/api/certificates/",                    (200, 200, 200, 200, 200, 200, 200)),
    ("certificate",                     "/api/certificates/{certificate}/",      (200, 200, 200, 200, 200, 200, 404)),
    ("certificate_of_other_customer",   "/api/certificates/{other_certificate}/", (200, 200, 200, 200, 200, 404, 200)),
    ("calibration_missing",             "/api/calibrations/999999/",             (404, 404, 404, 404, 404, 404, 404)),
    ("standard_missing",                "/api/standards/999999/",                (404, 404, 404, 404, 404, 403, 403)),
]
# fmt: on


def endpoint_cases():
    return [
        pytest.param(persona, url, expected, id=f"{persona}-{name}-{expected}")
        for name, url, codes in ENDPOINTS
        for persona, expected in zip(PERSONAS, codes, strict=True)
    ]


@pytest.mark.parametrize(("persona", "url", "expected"), endpoint_cases())
def test_who_may_read_each_endpoint(lab, client, persona, url, expected):
    response = login(client, lab.people[persona]).get(url.format(**lab.pks))
    assert response.status_code == expected
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url", [url for _, url, _ in ENDPOINTS], ids=[name for name, _, _ in ENDPOINTS]
)
def test_an_anonymous_client_is_refused_every_endpoint(lab, client, url):
    # SessionAuthentication comes first in REST_FRAMEWORK, so DRF answers 403, not 401.
    response = client.get(url.format(**lab.pks))
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_the_api_root_needs_a_login_too(lab, client):
    assert client.get("/api/").status_code == 403
    assert login(client, lab.people["carol"]).get("/api/").status_code == 200


# fmt: off
OWN_ROWS = [
    # endpoint         carol's rows                                  oscar's rows
    ("customers",      ("customer",),                                ("other_customer",)),
    ("instruments",    ("balance",),                                 ("other_balance",)),
    ("calibrations",   ("draft", "submitted", "reviewed", "approved", "issued",
                        "bobs_submitted", "bobs_reviewed", "bobs_approved"), ("other_issued",)),
    ("certificates",   ("certificate",),                             ("other_certificate",)),
]
# fmt: on


@pytest.mark.parametrize(
    ("endpoint", "carols", "oscars"), OWN_ROWS, ids=[row[0] for row in OWN_ROWS]
)
def test_a_customer_user_lists_only_their_own_rows(lab, client, endpoint, carols, oscars):
    listed = ids_listed(login(client, lab.people["carol"]).get(f"/api/{endpoint}/"))
    assert listed == {lab.pks[name] for name in carols}

    listed = ids_listed(login(client, lab.people["oscar"]).get(f"/api/{endpoint}/"))
    assert listed == {lab.pks[name] for name in oscars}

    listed = ids_listed(login(client, lab.people["adam"]).get(f"/api/{endpoint}/"))
    assert listed == {lab.pks[name] for name in carols + oscars}


def test_no_row_of_another_customer_appears_anywhere_in_a_customer_users_answers(lab, client):
    """Not as a row, and not nested: carol's answers never name oscar's company or objects."""
    login(client, lab.people["carol"])
    answers = "".join(
        client.get(f"/api/{endpoint}/").content.decode() for endpoint, _, _ in OWN_ROWS
    )
    assert "Phân bón" not in answers
    assert lab.other_balance.serial_number not in answers
    assert lab.other_certificate.number not in answers


def test_a_customer_user_downloads_their_certificate_from_the_url_the_api_gives(lab, client):
    login(client, lab.people["carol"])
    (row,) = client.get("/api/certificates/").json()["results"]
    assert row["number"] == lab.certificate.number
    assert row["sha256"] == lab.certificate.sha256

    response = client.get(row["pdf_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == row["sha256"]

    client.logout()
    assert login(client, lab.people["oscar"]).get(row["pdf_url"]).status_code == 404


KINDS = {
    "customers": ("/customers/{}/", Customer),
    "standards": ("/standards/{}/", Standard),
    "instruments": ("/instruments/{}/", Instrument),
    "calibrations": ("/calibrations/{}/", Calibration),
    "certificates": ("/certificates/{}/", Certificate),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_shows_each_persona_exactly_what_the_pages_show(lab, client, persona, kind):
    page, model = KINDS[kind]
    login(client, lab.people[persona])
    on_pages = {}
    for pk in model.objects.values_list("pk", flat=True):
        on_pages[pk] = client.get(page.format(pk)).status_code
        assert client.get(f"/api/{kind}/{pk}/").status_code == on_pages[pk], pk

    list_page = client.get(page.rsplit("{}", 1)[0]).status_code
    response = client.get(f"/api/{kind}/")
    assert response.status_code == list_page
    if response.status_code == 200:
        assert ids_listed(response) == {pk for pk, status in on_pages.items() if status == 200}


def test_basic_authentication_is_scoped_like_a_session(lab, client):
    response = client.get("/api/certificates/", **basic("carol"))
    assert response.status_code == 200
    assert ids_listed(response) == {lab.certificate.pk}
    assert (
        client.get(f"/api/certificates/{lab.other_certificate.pk}/", **basic("carol")).status_code
        == 404
    )


def test_basic_authentication_with_a_wrong_password_is_refused(lab, client):
    response = client.get("/api/certificates/", **basic("carol", "not-her-password"))
    assert response.status_code == 403  # 401 only if BasicAuthentication came first
    assert response.json() == {"detail": "Invalid username/password."}


def test_an_inactive_user_is_refused(lab, client):
    from lims.models import User

    carol = User.objects.get(pk=lab.people["carol"].pk)
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    assert client.get("/api/certificates/", **basic("carol")).status_code == 403


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/calibrations/"),
        ("put", "/api/calibrations/{draft}/"),
        ("patch", "/api/calibrations/{draft}/"),
        ("delete", "/api/calibrations/{draft}/"),
        ("post", "/api/certificates/"),
        ("delete", "/api/certificates/{certificate}/"),
        ("post", "/api/customers/"),
        ("post", "/api/instruments/"),
    ],
)
@pytest.mark.parametrize("persona", ["alice", "rita", "adam"])
def test_the_api_only_reads(lab, client, persona, method, url):
    counts = [model.objects.count() for _, model in KINDS.values()]
    response = getattr(login(client, lab.people[persona]), method)(
        url.format(**lab.pks), {"state": "approved"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert [model.objects.count() for _, model in KINDS.values()] == counts
    assert Calibration.objects.get(pk=lab.pks["draft"]).state == "draft"


def test_a_customer_user_may_not_even_try_to_write(lab, client):
    response = login(client, lab.people["carol"]).delete(f"/api/calibrations/{lab.pks['draft']}/")
    assert response.status_code == 405
    response = login(client, lab.people["carol"]).post("/api/standards/", {})
    assert response.status_code == 403


def test_a_certificate_answer_does_not_carry_the_pdf_bytes(lab, client):
    row = login(client, lab.people["carol"]).get(f"/api/certificates/{lab.certificate.pk}/").json()
    assert "pdf" not in row
    assert row["pdf_url"].endswith(f"/certificates/{lab.certificate.pk}/pdf/")
