"""What an issued certificate says, clause by clause of ISO/IEC 17025:2017, read back from the
text of its PDF (poppler's pdftotext): 7.8.2.1 a)–p) for every report, 7.8.4.1 a)–e) for a
calibration certificate and 7.8.6 for its statements of conformity; the error chart of each
results section; the accreditation mark only beside results inside the lab's scope.

Not printed, as the lab does not do them: 7.8.2.1 k) (sampling: a calibration lab calibrates
the item it receives), 7.8.2.1 p) (results from external providers: no calibration is
subcontracted) and 7.8.4.1 f) (opinions and interpretations).
"""

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import ScopeEntry
from certificates.services import certificate_issue
from jobs import services as jobs
from tests.conftest import PASSWORD, open_calibration


def poppler(tool: str, data: bytes, tmp_path, *args: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(data)
    command = [path, *args, str(pdf)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def text_of(certificate, tmp_path, *args: str) -> str:
    """The PDF's text in reading order, each run of white space made one space."""
    return " ".join(poppler("pdftotext", bytes(certificate.pdf), tmp_path, *args).split())


def layout_of(certificate, tmp_path) -> str:
    """The PDF's text laid out as printed: a row of a table is one line."""
    return poppler("pdftotext", bytes(certificate.pdf), tmp_path, "-layout")


def page_count(certificate, tmp_path) -> int:
    info = poppler("pdfinfo", bytes(certificate.pdf), tmp_path)
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def issue(calibration, *, technician, reviewer):
    flow.calibration_submit(calibration=calibration, by=technician)
    flow.calibration_review(calibration=calibration, by=reviewer, password=PASSWORD)
    flow.calibration_approve(calibration=calibration, by=reviewer, password=PASSWORD)
    return certificate_issue(calibration=calibration, by=reviewer)


@pytest.fixture
def onsite(customer, procedure, weights, alice, rita, today):
    """A balance with the customer's own ID, received in a job, calibrated at the customer's
    plant and adjusted (as found, then as left), against the maker's ± 0,0002 g; the lab's
    scope ends at 150 g, so the 200 g points are outside it. As found, 100 g fails."""
    ScopeEntry.objects.filter(procedure_code=procedure.code).update(maximum=Decimal("150"))
    instrument = cal.instrument_register(
        customer=customer,
        by=alice,
        name="Cân phân tích",
        manufacturer="Mettler Toledo",
        model="XPR205",
        serial_number="B912345678",
        customer_asset_id="SD-QC-017",
        measuring_range="0 – 220 g",
        resolution=Decimal("0.0001"),
        unit="g",
        location="Phòng QC, Nhà máy nước Hòa Bình",
    )
    cal.instrument_range_add(
        instrument=instrument,
        procedure=procedure,
        by=alice,
        tolerance_abs=Decimal("0.0002"),
        tolerance_source="maker",
    )
    received = today - dt.timedelta(days=3)
    job = jobs.job_receive(
        customer=customer,
        received_on=received,
        due_on=today + dt.timedelta(days=7),
        by=alice,
        items=[
            {
                "instrument": instrument,
                "condition": "Tốt, tem niêm phong nguyên vẹn",
                "accessories": "Lồng chắn gió",
            }
        ],
        customer_reference="PO-2026-117",
    )
    calibration = jobs.job_item_start(
        item=job.items.get(),
        by=alice,
        procedure=procedure,
        received_on=received,
        performed_on=today - dt.timedelta(days=1),
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[weights],
        place="Hiện trường / On site",
        remarks="Không thử độ lệch tâm theo yêu cầu của khách hàng.",
        adjustment="adjusted",
    )
    refs = {v.label: v for v in cal.allowed_references(calibration)}
    heavy = ["199.9998", "199.9999", "199.9998"]
    for phase, light in (
        ("as_found", ["100.0006", "100.0005", "100.0006"]),
        ("as_left", ["100.0002", "100.0001", "100.0002"]),
    ):
        for position, (label, readings) in enumerate([("100 g", light), ("200 g", heavy)], 1):
            cal.calibration_set_point(
                calibration=calibration,
                position=position,
                reference=refs[label],
                readings=readings,
                by=alice,
                phase=phase,
            )
    return issue(calibration, technician=alice, reviewer=rita)


def day(d) -> str:
    return f"{d:%d/%m/%Y}"


# (clause, what the certificate must say): a text is looked for in the PDF's text in reading
# order; a pattern in its laid-out text, where one row of a table is one line.
CLAUSES = {
    "7.8.2.1 a) title": lambda c: ["GIẤY CHỨNG NHẬN HIỆU CHUẨN CALIBRATION CERTIFICATE"],
    "7.8.2.1 b) laboratory and its address": lambda c: [
        f"{settings.LAB_NAME_VI} {settings.LAB_NAME_EN} {settings.LAB_ADDRESS}"
    ],
    "7.8.2.1 c) location, away from the laboratory": lambda c: [
        "Nơi hiệu chuẩn / Place of calibration Hiện trường / On site "
        "Phòng QC, Nhà máy nước Hòa Bình",
        "Calibration performed away from the laboratory's permanent facilities",
    ],
    "7.8.2.1 d) unique identification and its end": lambda c: [
        f"Số / No.: {c.number}",
        f"— Hết giấy chứng nhận {c.number} / End of certificate —",
    ],
    "7.8.2.1 e) customer": lambda c: [
        "Khách hàng / Customer Công ty Cổ phần Cấp nước Sông Đà Hòa Bình",
        "Phiếu tiếp nhận / Job No. TN-",
        "Đơn hàng / Order: PO-2026-117",
    ],
    "7.8.2.1 f) method": lambda c: [
        "Phương pháp hiệu chuẩn / Method QTHC-KL-01 (phiên bản / version 1) "
        "Cân phân tích Analytical balances"
    ],
    "7.8.2.1 g) item, its identification and condition": lambda c: [
        "Phương tiện đo / Instrument Cân phân tích",
        "Kiểu / Số / Model / Serial No. Mettler Toledo XPR205 / B912345678",
        "Mã số của khách hàng / Customer's ID SD-QC-017",
        "Phạm vi đo / Độ phân giải / Range / Resolution 0 – 220 g / 0,0001 g",
        "Tình trạng khi nhận / Condition on receipt Tốt, tem niêm phong nguyên vẹn "
        "Phụ kiện / Accessories: Lồng chắn gió",
    ],
    "7.8.2.1 h) date of receipt": lambda c: [
        f"Ngày nhận / Ngày hiệu chuẩn / Received / Calibrated {day(c.calibration.received_on)} /"
    ],
    "7.8.2.1 i) date of performance": lambda c: [
        f"Received / Calibrated {day(c.calibration.received_on)} / "
        f"{day(c.calibration.performed_on)}"
    ],
    "7.8.2.1 j) date of issue": lambda c: [
        f"Ngày ban hành / Date of issue {day(timezone.localtime(c.issued_at))}"
    ],
    "7.8.2.1 l) results relate only to the item": lambda c: [
        "Kết quả hiệu chuẩn chỉ có giá trị đối với phương tiện đo được hiệu chuẩn.",
        "The results relate only to the item calibrated.",
    ],
    "7.8.2.1 m) results with their units": lambda c: [
        "Giá trị chuẩn Reference value",
        "Giá trị chỉ thị TB Mean indication",
        "Sai số Error",
        # E = 300.0005 g / 3 − 100.000021 g = 0.000146 g, to the place of U = 0.00011 g
        re.compile(r"100,000021 g\s+100,00017 g\s+0,00015 g\s+0,00011 g"),
        re.compile(r"199,999965 g\s+199,99983 g\s+−0,00013 g\s+0,00014 g"),
    ],
    "7.8.2.1 n) additions, deviations, exclusions": lambda c: [
        "Ghi chú / Remarks Không thử độ lệch tâm theo yêu cầu của khách hàng."
    ],
    "7.8.2.1 o) who authorised it, with their function": lambda c: [
        "Người phê duyệt / Approved by",
        "Người soát xét / Reviewed by",
        "Người thực hiện / Performed by",
        re.compile(r"Nguyễn Alice\s+Lê Rita\s+Lê Rita\n"),
        re.compile(
            r"Kỹ thuật viên / Technician\s+Quản lý kỹ thuật / Technical manager\s+"
            r"Quản lý kỹ thuật / Technical manager\n"
        ),
    ],
    "7.8.4.1 a) expanded uncertainty with k and coverage probability": lambda c: [
        "ĐKĐBĐ mở rộng U Expanded uncertainty U k p ≈ 95 %",
        "xác suất phủ xấp xỉ 95 %",
        "for a coverage probability of approximately 95 %",
        re.compile(r"0,00015 g\s+0,00011 g\s+2,23\s"),
        re.compile(r"−0,00013 g\s+0,00014 g \*\s+2,04\s"),
    ],
    "7.8.4.1 b) environmental conditions": lambda c: [
        "Điều kiện môi trường / Environmental conditions 23,00 °C; 55,00 %RH"
    ],
    "7.8.4.1 c) metrological traceability": lambda c: [
        "Liên kết chuẩn / Traceability",
        "liên kết chuẩn tới chuẩn đo lường quốc gia của Việt Nam (VMI)",
        "metrologically traceable to the national measurement standards of Viet Nam (VMI)",
        "E2-01 Bộ quả cân E2 E2 · GCN/Cert. V01.26.0001 (VMI)",
    ],
    "7.8.4.1 d) results as found and as left": lambda c: [
        "The instrument was adjusted; the results as found and as left are given separately.",
        "0 – 220 g · Trước hiệu chỉnh / As found",
        "0 – 220 g · Sau hiệu chỉnh / As left",
        re.compile(r"100,000021 g\s+100,00057 g\s+0,00055 g\s+0,00011 g\s+2,23\s+0,0002 g\s+Không"),
        re.compile(r"100,000021 g\s+100,00017 g\s+0,00015 g\s+0,00011 g\s+2,23\s+0,0002 g\s+Đạt"),
    ],
    "7.8.4.1 e), 7.8.6.2 a) statement of conformity for each result": lambda c: [
        "Giới hạn ± Tolerance ± Kết luận Conformity",
        "Không đạt / Fail",
        "Đạt / Pass",
        "The statement of conformity applies to each point as given in the Conformity column",
    ],
    "7.8.6.2 b) the specification": lambda c: [
        "sai số so với giới hạn cho phép ± theo đặc tính kỹ thuật của nhà sản xuất",
        "its error against the ± tolerance from the maker's specification",
    ],
    "7.8.6.2 c) the decision rule": lambda c: [
        "Quy tắc quyết định: chấp nhận đơn giản (w = 0)",
        "Decision rule: simple acceptance (w = 0)",
    ],
}


def misses(certificate, tmp_path) -> list[tuple[str, str]]:
    """(clause, what) for each thing of `CLAUSES` the certificate does not say."""
    text, layout = text_of(certificate, tmp_path), layout_of(certificate, tmp_path)
    return [
        (clause, getattr(expected, "pattern", expected))
        for clause, says in CLAUSES.items()
        for expected in says(certificate)
        if not (expected.search(layout) if isinstance(expected, re.Pattern) else expected in text)
    ]


def test_the_certificate_holds_every_field_of_7_8_2_1_and_7_8_4_1(onsite, tmp_path):
    """One certificate read against the whole table (issuing one per clause would cost a
    second each); a failure lists every clause that misses something."""
    missing = misses(onsite, tmp_path)
    assert not missing, "\n".join(f"{clause}: {what!r}" for clause, what in missing)


def test_the_table_fails_on_a_certificate_without_those_fields(issued, tmp_path):
    """The table can fail: a plain certificate (in the lab, not adjusted, no tolerance, no job,
    no remarks) lacks what the on-site one says for c), g), n), 7.8.4.1 d) and 7.8.6."""
    failing = {clause for clause, _ in misses(issued, tmp_path)}
    assert {
        "7.8.2.1 c) location, away from the laboratory",
        "7.8.2.1 g) item, its identification and condition",
        "7.8.2.1 n) additions, deviations, exclusions",
        "7.8.4.1 d) results as found and as left",
        "7.8.6.2 c) the decision rule",
    } <= failing
    assert "7.8.2.1 l) results relate only to the item" not in failing


def test_every_page_carries_the_number_and_page_x_of_n(onsite, tmp_path):
    pages = page_count(onsite, tmp_path)
    assert pages >= 2
    for page in range(1, pages + 1):
        text = text_of(onsite, tmp_path, "-f", str(page), "-l", str(page))
        assert f"Số/No. {onsite.number}" in text, page
        assert f"Trang/Page {page} / {pages}" in text, page


def test_each_results_section_has_its_error_chart_over_the_tolerance_band(onsite, tmp_path):
    text = text_of(onsite, tmp_path)
    # drawn by lims.charts.error_chart as SVG text: as found, then as left
    assert text.count("Sai số / Error (g)") == 2
    assert text.count("Giá trị danh định / Nominal value (g)") == 2
    assert text.count("Sai số ± U / Error ± U") == 2
    assert text.count("Giới hạn cho phép ± / Tolerance ±") == 2
    assert "0,0002" in text and "0.0002" not in text  # the ticks with the decimal comma


def test_the_charts_write_in_the_certificates_own_font(onsite, tmp_path):
    fonts = poppler("pdffonts", bytes(onsite.pdf), tmp_path).splitlines()[2:]
    assert fonts
    assert all(re.fullmatch(r"[A-Z]{6}\+Cert(-Bold)?", line.split()[0]) for line in fonts), fonts


def test_a_section_without_tolerance_gets_its_chart_without_a_band(issued, tmp_path):
    text = text_of(issued, tmp_path)
    assert text.count("Sai số / Error (g)") == 1
    assert "Sai số ± U / Error ± U" in text
    assert "Tolerance ±" not in text
    assert "Conformity" not in text and "Decision rule" not in text


def test_a_calibration_in_the_laboratory_says_so_with_its_address(issued, tmp_path):
    text = text_of(issued, tmp_path)
    assert (
        f"Nơi hiệu chuẩn / Place of calibration Phòng thí nghiệm / Laboratory "
        f"{settings.LAB_ADDRESS}" in text
    )
    assert "away from the laboratory" not in text


def test_results_inside_the_scope_carry_the_accreditation_mark(issued, tmp_path):
    text = text_of(issued, tmp_path)
    assert f"{settings.LAB_ACCREDITATION} ISO/IEC 17025" in text
    assert "outside the scope" not in text
    assert not re.search(r"\d g \*", layout_of(issued, tmp_path))


def test_a_result_outside_the_scope_is_marked_beside_the_mark(onsite, tmp_path):
    text, layout = text_of(onsite, tmp_path), layout_of(onsite, tmp_path)
    assert f"{settings.LAB_ACCREDITATION} ISO/IEC 17025" in text
    assert "* Kết quả nằm ngoài phạm vi được công nhận." in text
    assert "* Result outside the scope of accreditation." in text
    assert len(re.findall(r"199,999965 g.*0,00014 g \*", layout)) == 2  # 200 g, both phases
    assert not re.search(r"100,000021 g.*\*", layout)  # 100 g is inside the scope


@pytest.fixture
def outside(procedure, balance, weights, alice, rita, today):
    """A certificate none of whose results is inside the scope (the scope line is not
    accredited)."""
    ScopeEntry.objects.filter(procedure_code=procedure.code).update(accredited=False)
    calibration = open_calibration(
        instrument=balance, procedure=procedure, standard=weights, technician=alice, on=today
    )
    return issue(calibration, technician=alice, reviewer=rita)


def test_no_mark_when_no_result_is_inside_the_scope(outside, tmp_path):
    text = text_of(outside, tmp_path)
    assert "ISO/IEC 17025" not in text and settings.LAB_ACCREDITATION not in text
    assert (
        "Các kết quả trong giấy chứng nhận này nằm ngoài phạm vi được công nhận. "
        "The results in this certificate are outside the scope of accreditation." in text
    )


def test_a_lab_without_accreditation_prints_no_mark_and_no_scope_note(
    settings, procedure, balance, weights, alice, rita, today, tmp_path
):
    settings.LAB_ACCREDITATION = ""
    ScopeEntry.objects.filter(procedure_code=procedure.code).update(maximum=Decimal("150"))
    calibration = open_calibration(
        instrument=balance, procedure=procedure, standard=weights, technician=alice, on=today
    )
    certificate = issue(calibration, technician=alice, reviewer=rita)
    text = text_of(certificate, tmp_path)
    assert "ISO/IEC 17025" not in text and "VILAS" not in text
    assert "scope" not in text and "*" not in text


def test_vietnamese_diacritics_come_out_intact(onsite, tmp_path):
    text = text_of(onsite, tmp_path)
    for words in [
        "Không đạt",
        "Độ không đảm bảo đo mở rộng",
        "ĐKĐBĐ mở rộng U",
        "Người phê duyệt",
        "Liên kết chuẩn",
        "Tình trạng khi nhận",
        "Hết giấy chứng nhận",
        "Sai số / Error",  # inside the chart
        "Giá trị danh định",
    ]:
        assert words in text, words
    assert "\ufffd" not in text
