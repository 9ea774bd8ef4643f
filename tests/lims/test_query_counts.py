"""A page's queries must not grow with its rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calibration import services as cal
from tests.conftest import login, open_calibration


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_list_pages_make_the_same_queries_for_one_row_or_many(
    client, rita, draft, balance, procedure, weights, alice, customer, today
):
    login(client, rita)
    pages = ["/", "/customers/", "/instruments/", "/standards/", "/calibrations/", "/certificates/"]
    before = {url: queries(client, url) for url in pages}
    for n in range(4):
        instrument = cal.instrument_register(
            customer=customer,
            by=alice,
            name="Cân",
            manufacturer="AND",
            model=f"GX-{n}",
            serial_number=f"S{n}",
            resolution="0.01",
            unit="g",
        )
        open_calibration(
            instrument=instrument, procedure=procedure, standard=weights, technician=alice, on=today
        )
    after = {url: queries(client, url) for url in pages}
    assert after == before


def test_the_calibration_page_makes_the_same_queries_for_two_points_or_six(client, draft, alice):
    login(client, alice)
    url = f"/calibrations/{draft.pk}/"
    before = queries(client, url)
    reference = draft.points.first().reference
    for position in range(3, 7):
        cal.calibration_set_point(
            calibration=draft,
            position=position,
            reference=reference,
            readings=["100", "100.0001"],
            by=alice,
        )
    assert queries(client, url) == before


def test_a_long_list_is_shown_a_page_at_a_time(client, rita, customer, alice):
    for n in range(55):
        cal.instrument_register(
            customer=customer,
            by=alice,
            name="Cân",
            manufacturer="AND",
            model="GX",
            serial_number=f"P{n:03d}",
            resolution="0.01",
            unit="g",
        )
    login(client, rita)
    first = client.get("/instruments/").content.decode()
    assert "Page 1 of 2" in first and first.count("/instruments/") >= 50
    second = client.get("/instruments/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert client.get("/instruments/?page=zzz").status_code == 200  # nonsense gives page 1


def test_a_standards_page_and_its_look_back_do_not_grow_with_calibrations_or_checks(
    client, quinn, weights, balance, procedure, alice, customer, today
):
    import datetime as dt

    from standards.services import check_record, finding_report

    def add(n):
        for i in range(n):
            instrument = cal.instrument_register(
                customer=customer,
                by=alice,
                name="Cân",
                manufacturer="AND",
                model=f"Q-{n}-{i}",
                serial_number=f"Q{n}{i}",
                resolution="0.01",
                unit="g",
            )
            open_calibration(
                instrument=instrument,
                procedure=procedure,
                standard=weights,
                technician=alice,
                on=today - dt.timedelta(days=1),  # before the finding quarantined the standard
            )
            check_record(
                standard=weights,
                checked_on=today - dt.timedelta(days=20 - i - n),
                label="100 g",
                value="100.00002",
                by=alice,
            )

    add(1)
    finding = finding_report(standard=weights, found_on=today, description="Dropped", by=quinn)
    login(client, quinn)
    pages = [
        f"/standards/{weights.pk}/",
        f"/standards/{weights.pk}/checks/",
        f"/traceability/findings/{finding.pk}/",
        "/traceability/findings/",
    ]
    before = {url: queries(client, url) for url in pages}
    add(4)
    assert {url: queries(client, url) for url in pages} == before


def test_the_new_calibration_page_does_not_grow_with_the_standards_offered(
    client, alice, quinn, vmi, national_mass, weights, today
):
    import datetime as dt

    from standards.services import standard_calibration_record, standard_register

    def register(n):
        for i in range(n):
            standard = standard_register(
                by=quinn, asset_number=f"Q-{n}-{i}", name="Quả cân", quantity="mass", unit="g"
            )
            standard_calibration_record(
                standard=standard,
                provider=vmi,
                national_standard=national_mass,
                certificate_number=f"Q-{n}-{i}",
                calibrated_on=today - dt.timedelta(days=400 if i % 2 else 10),
                due_on=today - dt.timedelta(days=5) if i % 2 else None,  # half are overdue
                by=quinn,
                values=[
                    {"label": "1 g", "nominal": "1", "value": "1", "expanded_uncertainty": "1e-6"}
                ],
            )

    register(2)
    login(client, alice)
    before = queries(client, "/calibrations/new/")
    register(4)
    page = client.get("/calibrations/new/").content.decode()
    assert page.count("is overdue") == 3
    assert queries(client, "/calibrations/new/") == before
