import hashlib
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied

from calibration import workflow as flow
from calibration.models import State
from certificates.models import Certificate
from certificates.services import TraceabilityBroken, certificate_issue
from standards.models import StandardStatus
from standards.services import standard_set_status
from tests.conftest import PASSWORD, login, open_calibration


def approve(calibration, alice, rita):
    flow.calibration_submit(calibration=calibration, by=alice)
    flow.calibration_review(calibration=calibration, by=rita, password=PASSWORD)
    return flow.calibration_approve(calibration=calibration, by=rita, password=PASSWORD)


def pdf_text(data: bytes, tmp_path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_issuing_numbers_the_certificate_and_marks_the_calibration_issued(issued, today):
    assert re.fullmatch(rf"HC-{today.year}-00001", issued.number)
    issued.calibration.refresh_from_db()
    assert issued.calibration.state == State.ISSUED
    assert issued.calibration.transitions.last().reason == f"Certificate {issued.number} issued"


def test_numbers_follow_each_other_without_gaps(issued, other_issued, today):
    assert [issued.number, other_issued.number] == [
        f"HC-{today.year}-00001",
        f"HC-{today.year}-00002",
    ]


def test_the_stored_sha256_is_that_of_the_stored_pdf(issued):
    data = bytes(issued.pdf)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == issued.sha256


def test_every_download_gives_the_identical_bytes(client, issued, carol):
    login(client, carol)
    first = client.get(f"/certificates/{issued.pk}/pdf/")
    second = client.get(f"/certificates/{issued.pk}/pdf/")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content == second.content == bytes(issued.pdf)
    assert first["X-Content-SHA256"] == hashlib.sha256(first.content).hexdigest()


def poppler(tool: str, data: bytes, tmp_path, *args) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        [path, *args, str(pdf)], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_is_pdf_a_3b_with_every_font_embedded(issued, tmp_path):
    metadata = poppler("pdfinfo", bytes(issued.pdf), tmp_path, "-meta")
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    fonts = poppler("pdffonts", bytes(issued.pdf), tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


def test_the_pdf_holds_what_17025_asks(issued, tmp_path):
    text = pdf_text(bytes(issued.pdf), tmp_path)
    for expected in [
        "GIẤY CHỨNG NHẬN HIỆU CHUẨN",
        "CALIBRATION CERTIFICATE",
        issued.number,
        "Công ty Cổ phần Cấp nước Sông Đà",
        "Sartorius Quintix224 / 0034512877",
        "QTHC-KL-01",
        "23,00 °C; 55,00 %RH",
        "E2-01",
        "V01.26.0001",
        "VMI",
        "The results relate only to the item calibrated.",
        "metrologically traceable",
        "Trang/Page 1 / 2",
        "Approved by",
        "Lê Rita",
    ]:
        assert expected in text, expected
    # E = 599.9995 g / 3 − 199.999965 g = −0.000131(7) g, to the place of U = 0.00014 g
    assert re.search(r"199,999965 g\s+199,99983 g\s+−0,00013 g\s+0,00014 g\s+2,04", text), text


def test_the_technician_cannot_issue_their_own_work(draft, alice, rita):
    approve(draft, alice, rita)
    alice.role = "reviewer"
    alice.save()
    with pytest.raises(PermissionDenied):
        certificate_issue(calibration=draft, by=alice)
    assert not Certificate.objects.exists()


def test_only_an_approved_calibration_is_issued(draft, rita):
    from calibration.services import WorkflowError

    with pytest.raises(WorkflowError):
        certificate_issue(calibration=draft, by=rita)


def test_a_broken_chain_is_not_issued_and_uses_no_number(
    draft, weights, alice, rita, quinn, balance, procedure, today
):
    approve(draft, alice, rita)
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Drift"
    )
    with pytest.raises(TraceabilityBroken, match="E2-01"):
        certificate_issue(calibration=draft, by=rita)
    standard_set_status(
        standard=weights, status=StandardStatus.IN_SERVICE, by=quinn, reason="Rechecked"
    )
    certificate = certificate_issue(calibration=draft, by=rita)
    assert certificate.number.endswith("-00001")  # the refused attempt took no number


def test_the_issue_page_shows_a_refusal_instead_of_failing(client, draft, rita):
    login(client, rita)
    response = client.post(f"/certificates/issue/{draft.pk}/", follow=True)
    assert response.status_code == 200
    assert "Only an approved calibration can be issued." in response.content.decode()


def test_a_customer_sees_only_their_own_certificates(client, issued, other_issued, carol):
    login(client, carol)
    listing = client.get("/certificates/").content.decode()
    assert issued.number in listing and other_issued.number not in listing
    assert client.get(f"/certificates/{other_issued.pk}/").status_code == 404
    assert client.get(f"/certificates/{other_issued.pk}/pdf/").status_code == 404


def test_a_second_calibration_of_the_same_instrument_gets_its_own_certificate(
    issued, balance, procedure, weights, alice, rita, today
):
    again = open_calibration(
        instrument=balance, procedure=procedure, standard=weights, technician=alice, on=today
    )
    approve(again, alice, rita)
    assert certificate_issue(calibration=again, by=rita).number.endswith("-00002")
