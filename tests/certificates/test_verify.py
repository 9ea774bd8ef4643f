"""Anyone can check a certificate: its QR code opens a public page found only by an unguessable
token, and uploading a PDF there says whether it is the issued file."""

import io
import subprocess

import pytest

pytestmark = pytest.mark.django_db


def upload(client, certificate, content):
    file = io.BytesIO(content)
    file.name = "certificate.pdf"
    return client.post(f"/verify/{certificate.token}/", {"file": file})


def test_the_page_needs_no_login_and_shows_what_identifies_the_certificate(client, issued):
    page = client.get(f"/verify/{issued.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    for expected in [
        issued.number,
        issued.issued_at.strftime("%d/%m/%Y"),
        "Công ty Cổ phần Cấp nước Sông Đà",
        "0034512877",
        issued.sha256,
        "Issued: in force",
    ]:
        assert expected in html, expected


def test_the_token_is_unguessable_and_the_id_or_number_finds_nothing(client, issued):
    assert len(issued.token) >= 40
    assert client.get(f"/verify/{issued.pk}/").status_code == 404
    assert client.get(f"/verify/{issued.number}/").status_code == 404
    assert client.get(f"/verify/{issued.token[:-1]}x/").status_code == 404


def test_the_issued_file_is_recognised_and_any_other_is_not(client, issued):
    genuine = upload(client, issued, bytes(issued.pdf))
    assert 'data-testid="genuine"' in genuine.content.decode()
    altered = bytearray(issued.pdf)
    altered[-10] ^= 1
    refused = upload(client, issued, bytes(altered))
    assert 'data-testid="not-genuine"' in refused.content.decode()


def test_an_upload_without_a_file_is_answered_not_a_server_error(client, issued):
    response = client.post(f"/verify/{issued.token}/", {})
    assert response.status_code == 400
    assert "Choose the PDF file" in response.content.decode()


def test_the_pdf_prints_the_verification_address(issued, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(bytes(issued.pdf))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert f"/verify/{issued.token}/" in text
    assert "Check that this certificate is genuine" in text
