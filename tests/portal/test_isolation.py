"""A customer's user sees nothing of another customer: by id it is not found, in a list it is not there."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from jobs.services import job_receive, job_request
from tests.conftest import login


@pytest.fixture
def theirs(other_customer, oscar, alice, other_issued, today):
    """What belongs to the other customer: a certificate, an open job, a request."""
    from tests.portal.conftest import register

    gauge = register(other_customer, alice, "OTHER-GAUGE-77", name="Áp kế của họ")
    job = job_receive(
        customer=other_customer,
        received_on=today,
        due_on=today + dt.timedelta(days=5),
        by=alice,
        items=[{"instrument": gauge, "condition": "Tốt"}],
    )
    request = job_request(by=oscar, instruments=[], request="Bí mật của Phân bón MN")
    return {"certificate": other_issued, "job": job, "request": request, "gauge": gauge}


@pytest.mark.parametrize(
    "url",
    [
        "/certificates/{certificate}/",
        "/certificates/{certificate}/pdf/",
        "/certificates/{certificate}/dcc/",
        "/jobs/{job}/",
        "/jobs/{request}/",
        "/instruments/{gauge}/",
        "/portal/instruments/{gauge}/recall/",
    ],
)
def test_another_customers_record_is_not_found_by_its_id(client, carol, issued, theirs, url):
    ids = {name: record.pk for name, record in theirs.items()}
    assert login(client, carol).get(url.format(**ids)).status_code == 404


def test_cancelling_another_customers_request_is_not_found(client, carol, theirs):
    response = login(client, carol).post(f"/jobs/{theirs['request'].pk}/cancel/", {"reason": "x"})
    assert response.status_code == 404
    theirs["request"].refresh_from_db()
    assert theirs["request"].cancelled_on is None


@pytest.mark.parametrize("persona", ["carol", "anonymous"])
def test_the_verify_page_answers_only_to_the_token(client, carol, theirs, persona):
    certificate = theirs["certificate"]
    if persona == "carol":
        login(client, carol)
    assert client.get(f"/verify/{certificate.pk}/").status_code == 404
    assert client.get(f"/verify/{certificate.number}/").status_code == 404
    assert client.get(f"/verify/{certificate.token}/").status_code == 200


def traces(theirs, other_customer):
    return [
        other_customer.name,
        str(other_customer),
        theirs["certificate"].number,
        theirs["certificate"].calibration.instrument.serial_number,
        theirs["gauge"].serial_number,
        theirs["job"].number,
        theirs["request"].number,
        "Bí mật",
    ]


@pytest.mark.parametrize(
    ("url", "shows_own_certificate"),
    [
        ("/", True),
        ("/portal/", True),
        ("/portal/?customer={other}", True),
        ("/portal/?customer={other}&state=in_lab", False),
        ("/portal/certificates/", True),
        ("/portal/certificates/?customer={other}", True),
        ("/portal/request/", False),
        ("/jobs/", False),
    ],
)
def test_the_portal_pages_hold_nothing_of_another_customer(
    client, carol, issued, theirs, other_customer, url, shows_own_certificate
):
    response = login(client, carol).get(url.format(other=other_customer.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert (issued.number in html) is shows_own_certificate
    for trace in traces(theirs, other_customer):
        assert trace not in html, trace


def test_the_excel_export_holds_nothing_of_another_customer(
    client, carol, issued, theirs, other_customer
):
    login(client, carol)
    response = client.get(f"/portal/instruments.xlsx?customer={other_customer.pk}")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert issued.number in cells
    for trace in traces(theirs, other_customer):
        assert trace not in cells, trace
    assert other_customer.tax_code not in response["Content-Disposition"]
