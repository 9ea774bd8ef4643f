"""Importing a supplier's DCC through the pages: upload, confirm what was read, record the same
bytes; a file that changed in between, or that is not a valid DCC, is refused and nothing kept."""

import base64
import hashlib
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from standards.models import Conformity, StandardCalibration
from standards.services import standard_register
from tests.conftest import login

DATA = Path(__file__).resolve().parent.parent / "data" / "dcc"

# tests/data/dcc/vmi-weights-e2.xml: conventional mass, U (k = 2), in g
RESULTS = [
    ("1 g", "1", "1.000012", "0.000010"),
    ("2 g", "2", "2.000008", "0.000012"),
    ("5 g", "5", "4.999985", "0.000016"),
    ("10 g", "10", "10.000021", "0.000020"),
    ("20 g", "20", "19.999968", "0.000025"),
    ("50 g", "50", "50.000045", "0.000030"),
    ("100 g", "100", "100.000062", "0.000050"),
    ("200 g", "200", "199.999910", "0.000100"),
    ("500 g", "500", "500.000310", "0.000250"),
    ("1000 g", "1000", "1000.000720", "0.000500"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file())


@pytest.fixture
def weight_set(quinn):
    return standard_register(
        by=quinn,
        asset_number="E2-30",
        name="Bộ quả cân E2 1 g – 1 kg",
        quantity="mass",
        unit="g",
        serial_number="21-0457",
    )


def upload(client, standard, name):
    data = (DATA / name).read_bytes()
    response = client.post(
        f"/standards/{standard.pk}/dcc/",
        {"dcc": SimpleUploadedFile(name, data, content_type="application/xml")},
    )
    return response, data


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def confirmation(page: str, **fields) -> dict:
    return {
        "payload": hidden(page, "payload"),
        "filename": hidden(page, "filename"),
        "sha256": hidden(page, "sha256"),
        "provider_standard": "",
        "conformity": Conformity.CONFORMS,
        "due_on": "",
        **fields,
    }


def test_the_confirmation_page_shows_what_was_read(client, quinn, weight_set, vmi):
    login(client, quinn)
    response, data = upload(client, weight_set, "vmi-weights-e2.xml")
    assert response.status_code == 200
    page = response.content.decode()
    assert "V01.26.0157" in page
    assert "10 results" in page
    assert len(response.context["rows"]) == 10
    assert hidden(page, "sha256") == hashlib.sha256(data).hexdigest()
    # the provider is recognised by its accreditation code, VILAS 002
    assert response.context["form"].initial["provider"] == vmi
    assert not StandardCalibration.objects.filter(standard=weight_set).exists()


def test_confirming_records_the_certificate_with_exact_values_and_the_file(
    client, quinn, weight_set, vmi, national_mass
):
    login(client, quinn)
    response, data = upload(client, weight_set, "vmi-weights-e2.xml")
    fields = confirmation(
        response.content.decode(), provider=vmi.pk, national_standard=national_mass.pk
    )
    confirmed = client.post(f"/standards/{weight_set.pk}/dcc/", fields)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/standards/{weight_set.pk}/"
    incoming = StandardCalibration.objects.get(standard=weight_set)
    assert (incoming.certificate_number, incoming.provider, incoming.national_standard) == (
        "V01.26.0157",
        vmi,
        national_mass,
    )
    assert incoming.calibrated_on.isoformat() == "2026-03-09"  # dcc:beginPerformanceDate
    values = {v.label: v for v in incoming.values.all()}
    assert len(values) == 10
    for label, nominal, value, U in RESULTS:
        got = values[label]
        assert (got.nominal, got.value, got.expanded_uncertainty, got.coverage_factor) == (
            Decimal(nominal),
            Decimal(value),
            Decimal(U),
            Decimal("2"),
        ), label
        assert (got.unit, got.conformity) == ("g", Conformity.CONFORMS)
    digest = hashlib.sha256(data).hexdigest()
    assert incoming.dcc_sha256 == digest
    with incoming.dcc_file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest
    assert "V01.26.0157" in incoming.history.get().history_change_reason
    assert incoming.history.get().history_user == quinn
    # and the original file is served back with its hash
    served = client.get(f"/standards/calibrations/{incoming.pk}/dcc/")
    assert served["X-Content-SHA256"] == digest
    assert b"".join(served.streaming_content) == data


def test_a_tampered_hash_is_refused_and_nothing_is_saved(
    client, quinn, weight_set, vmi, national_mass
):
    login(client, quinn)
    response, data = upload(client, weight_set, "vmi-weights-e2.xml")
    fields = confirmation(
        response.content.decode(),
        provider=vmi.pk,
        national_standard=national_mass.pk,
        sha256="0" * 64,
    )
    refused = client.post(f"/standards/{weight_set.pk}/dcc/", fields, follow=True)
    assert "The file changed between reading and confirming" in refused.content.decode()
    assert not StandardCalibration.objects.filter(standard=weight_set).exists()


def test_a_tampered_payload_is_refused_and_nothing_is_saved(
    client, quinn, weight_set, vmi, national_mass
):
    login(client, quinn)
    response, data = upload(client, weight_set, "vmi-weights-e2.xml")
    forged = data.replace(b"100.000062", b"100.000002")
    fields = confirmation(
        response.content.decode(),
        provider=vmi.pk,
        national_standard=national_mass.pk,
        payload=base64.b64encode(forged).decode(),
    )
    refused = client.post(f"/standards/{weight_set.pk}/dcc/", fields, follow=True)
    assert "The file changed between reading and confirming" in refused.content.decode()
    assert not StandardCalibration.objects.filter(standard=weight_set).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid_schema.xml", "The DCC does not conform to the DCC 3.3.0 schema:"),
        ("not-xml.pdf", "The file is not XML: choose the DCC (.xml), not the PDF certificate."),
    ],
)
def test_a_file_that_is_not_a_valid_dcc_is_refused_with_a_clear_message(
    client, quinn, weight_set, name, message
):
    login(client, quinn)
    response, _data = upload(client, weight_set, name)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert message in response.context["form"].non_field_errors()
    assert not StandardCalibration.objects.filter(standard=weight_set).exists()


def test_results_in_another_unit_are_shown_and_refused_at_confirmation(
    client, quinn, vmi, national_mass, media
):
    """thermometer-single.xml is in °C: the page warns, and confirming records nothing."""
    grams = standard_register(
        by=quinn, asset_number="E2-31", name="Quả cân", quantity="mass", unit="g"
    )
    login(client, quinn)
    response, _data = upload(client, grams, "thermometer-single.xml")
    page = response.content.decode()
    assert response.context["unit_mismatch"] == ["°C"]
    confirmed = client.post(
        f"/standards/{grams.pk}/dcc/",
        confirmation(page, provider=vmi.pk, national_standard=national_mass.pk),
    )
    assert confirmed.status_code == 200
    assert "is in °C, but standard E2-31" in html.unescape(confirmed.content.decode())
    assert not StandardCalibration.objects.filter(standard=grams).exists()
    assert stored_files(media) == []  # no file left behind without its record


def test_the_same_dcc_imported_twice_is_refused_and_leaves_no_second_file(
    client, quinn, weight_set, vmi, national_mass, media
):
    login(client, quinn)
    for attempt in (1, 2):
        response, _data = upload(client, weight_set, "vmi-weights-e2.xml")
        confirmed = client.post(
            f"/standards/{weight_set.pk}/dcc/",
            confirmation(
                response.content.decode(), provider=vmi.pk, national_standard=national_mass.pk
            ),
        )
        assert confirmed.status_code == (302 if attempt == 1 else 200)
    assert "already exists" in html.unescape(confirmed.content.decode())
    assert StandardCalibration.objects.filter(standard=weight_set).count() == 1
    assert stored_files(media) == ["vmi-weights-e2.xml"]


def test_the_single_point_thermometer_imports_into_a_standard_in_degrees(
    client, quinn, vmi, national_mass
):
    thermometer = standard_register(
        by=quinn, asset_number="PRT-01", name="Nhiệt kế điện trở", quantity="temperature", unit="°C"
    )
    login(client, quinn)
    response, data = upload(client, thermometer, "thermometer-single.xml")
    confirmed = client.post(
        f"/standards/{thermometer.pk}/dcc/",
        confirmation(
            response.content.decode(), provider=vmi.pk, national_standard=national_mass.pk
        ),
    )
    assert confirmed.status_code == 302
    (value,) = StandardCalibration.objects.get(standard=thermometer).values.all()
    assert (value.nominal, value.value, value.expanded_uncertainty) == (
        Decimal("100"),
        Decimal("100.015"),
        Decimal("0.030"),
    )


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_only_those_who_keep_the_register_may_import(client, weight_set, persona, request):
    login(client, request.getfixturevalue(persona))
    response, _data = upload(client, weight_set, "vmi-weights-e2.xml")
    assert response.status_code == 403
