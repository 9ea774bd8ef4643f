"""Issuing: the certificate of a passed instrument (KD-…, its validity from the list, its mark)
and the notice of failure (TB-…, no mark), read back from the PDF's text (poppler's pdftotext)."""

import io
import shutil
import subprocess

import pypdf
import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.verification.conftest import CARD_NUMBER, record_scale
from verification.models import Mark, MarkState
from verification.services import add_months, verification_issue, verification_record


def text_of(verification, tmp_path) -> str:
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "verification.pdf"
    pdf.write_bytes(bytes(verification.pdf))
    out = subprocess.run([path, str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture
def certificate(verifier, scale_type, marks, weights_m1):
    verification = record_scale(verifier, scale_type, standards=[weights_m1])
    return verification_issue(
        verification=verification, by=verifier, password=PASSWORD, mark_serial="A0000017"
    )


@pytest.fixture
def notice(verifier, scale_type, marks, weights_m1):
    verification = record_scale(
        verifier, scale_type, serial="CB-0666", passing=False, standards=[weights_m1]
    )
    return verification_issue(verification=verification, by=verifier, password=PASSWORD)


def test_the_certificate_holds_every_field(certificate, verifier, tmp_path):
    year = timezone.localdate().year
    assert certificate.number == f"KD-{year}-00001"
    assert certificate.valid_until == add_months(certificate.verified_on, 12)
    text = text_of(certificate, tmp_path)
    for words in (
        "GIẤY CHỨNG NHẬN KIỂM ĐỊNH",
        "VERIFICATION CERTIFICATE",
        f"Số / No.: KD-{year}-00001",
        "Cân bàn / Platform scale",
        "Nhơn Hòa CĐH-30 / CB-0001",
        "Max = 30 kg; e = 0,01 kg; Min = 0,20 kg",
        "Accuracy class: III",
        "Nguyễn Thị Lan",
        "Kiểm định định kỳ / Periodic verification",
        "OIML R 76-1:2006",
        certificate.verified_on.strftime("%d/%m/%Y"),
        "M1-01 Bộ quả cân M1",
        "V01.26.0420",
        "Kiểm tra sai số cân / Weighing test: Đạt / Pass",
        "Kiểm tra độ lệch tâm / Eccentricity test",
        "Kiểm tra độ lặp lại / Repeatability test",
        "Kiểm tra khả năng phân biệt / Discrimination test",
        "Kết luận / Conclusion: Đạt / Pass.",
        "A0000017",
        f"Valid until: {certificate.valid_until:%d/%m/%Y}",
        str(verifier),
        CARD_NUMBER,
        f"/verify/{certificate.token}/",
    ):
        assert words in text, words


def test_the_certificate_prints_each_reading_with_its_mpe(certificate, tmp_path):
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "v.pdf"
    pdf.write_bytes(bytes(certificate.pdf))
    layout = subprocess.run(
        [path, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    rows = [" ".join(line.split()) for line in layout.splitlines()]
    assert "2 5 5,005 0,005 0,005 Đạt / Pass" in rows  # at 500 e the error equals the MPE
    assert "4 Sau phải / Back right 10 9,99 −0,01 0,01 Đạt / Pass" in rows


def test_the_notice_of_failure(notice, tmp_path):
    year = timezone.localdate().year
    assert notice.number == f"TB-{year}-00001"
    assert notice.valid_until is None
    assert not Mark.objects.filter(state=MarkState.USED).exists()
    text = text_of(notice, tmp_path)
    for words in (
        "THÔNG BÁO KẾT QUẢ KIỂM ĐỊNH KHÔNG ĐẠT",
        "NOTICE OF FAILURE",
        f"TB-{year}-00001",
        "CB-0666",
        "Kiểm tra sai số cân / Weighing test: Không đạt / Fail",
        "Kết luận / Conclusion: Không đạt / Fail.",
        "không được sử dụng trong thương mại",
        "may not be used for trade until it has been repaired and verified again",
        "No verification mark is issued",
    ):
        assert words in text, words
    assert "Valid until" not in text


def test_numbers_run_per_kind(verifier, scale_type, marks, weights_m1):
    year = timezone.localdate().year
    numbers = []
    for serial, passing in (("1", True), ("2", False), ("3", True), ("4", False)):
        v = record_scale(
            verifier, scale_type, serial=serial, passing=passing, standards=[weights_m1]
        )
        numbers.append(verification_issue(verification=v, by=verifier, password=PASSWORD).number)
    assert numbers == [
        f"KD-{year}-00001",
        f"TB-{year}-00001",
        f"KD-{year}-00002",
        f"TB-{year}-00002",
    ]


def test_the_pdf_is_pdf_a_3b(certificate):
    pdf = pypdf.PdfReader(io.BytesIO(bytes(certificate.pdf)))
    identification = pdf.xmp_metadata.rdf_root.toxml()
    assert 'pdfaid:part="3"' in identification and 'pdfaid:conformance="B"' in identification
    assert len(pdf.pages) >= 1


def test_a_fuel_dispenser_certificate(verifier, dispenser_type, marks, weights_m1, tmp_path):
    verification, _ = verification_record(
        by=verifier,
        instrument_type=dispenser_type,
        owner="Cửa hàng xăng dầu số 5",
        serial_number="TK-0042",
        province="Gia Lai",
        verified_on=timezone.localdate(),
        kind="initial",
        specification={"class": "0.5", "mmq": "2", "q_max": "40", "q_min": "5"},
        tests={
            "delivery": [
                {"flow_rate": "40", "standard": "20.00", "indication": "20.06"},
                {"flow_rate": "5", "standard": "20.00", "indication": "19.95"},
            ],
            "minimum_quantity": [{"flow_rate": "5", "standard": "2.00", "indication": "2.01"}],
        },
        standards=[weights_m1],
    )
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    text = text_of(issued, tmp_path)
    assert "Cột đo xăng dầu / Fuel dispenser" in text
    assert "Lượng đo nhỏ nhất / MMQ = 2 L; Q = 5 … 40 L/min" in text
    assert "Kiểm định ban đầu / Initial verification" in text
    assert issued.valid_until == add_months(issued.verified_on, 12)


def test_a_water_meter_certificate_is_valid_five_years(
    verifier, water_meter_type, marks, weights_m1, tmp_path
):
    verification, _ = verification_record(
        by=verifier,
        instrument_type=water_meter_type,
        owner="Công ty Cấp nước Gia Lai",
        serial_number="WM-9",
        province="Gia Lai",
        verified_on=timezone.localdate(),
        kind="initial",
        specification={"q3": "2.5", "ratio": "160", "class": "2"},
        tests={
            "flow_rates": [
                {"point": "Q1", "flow_rate": "0.015625", "standard": "10", "indication": "10.3"},
                {"point": "Q2", "flow_rate": "0.025", "standard": "10", "indication": "10.1"},
                {"point": "Q3", "flow_rate": "2.5", "standard": "100", "indication": "99.5"},
            ]
        },
        standards=[weights_m1],
    )
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    assert issued.valid_until == add_months(issued.verified_on, 60)
    assert "Q3 = 2,5 m³/h; R = 160" in text_of(issued, tmp_path)


def test_an_electricity_meter_certificate(verifier, meter_type, marks, weights_m1, tmp_path):
    verification, _ = verification_record(
        by=verifier,
        instrument_type=meter_type,
        owner="Hộ ông Võ Văn Hải",
        serial_number="EM-77",
        province="Gia Lai",
        verified_on=timezone.localdate(),
        kind="periodic",
        specification={"class": "B", "i_min": "0.25", "i_tr": "0.5", "i_max": "60"},
        tests={
            "accuracy": [
                {"current": "0.25", "power_factor": "1", "error": "0.8"},
                {"current": "0.5", "power_factor": "1", "error": "0.5"},
                {"current": "5", "power_factor": "1", "error": "0.3"},
                {"current": "5", "power_factor": "0.5L", "error": "-0.6"},
                {"current": "5", "power_factor": "0.8C", "error": "0.4"},
                {"current": "60", "power_factor": "1", "error": "0.2"},
            ]
        },
        standards=[weights_m1],
    )
    issued = verification_issue(verification=verification, by=verifier, password=PASSWORD)
    text = text_of(issued, tmp_path)
    assert "Imin = 0,25 A; Itr = 0,5 A; Imax = 60 A" in text
    assert "0,5L" in text
