"""Render an issued verification to PDF/A-3b: a verification certificate when the instrument
passed (GIẤY CHỨNG NHẬN KIỂM ĐỊNH), a notice of failure when it did not (THÔNG BÁO KẾT QUẢ KIỂM
ĐỊNH KHÔNG ĐẠT).

Vietnamese first, English second, written here and in the templates, not through gettext: the
document is the same in any UI language. Rendering reuses the calibration certificate's local
fonts and its fetcher, which refuses anything but those files and the inline QR code, so it
never reaches the network. The PDF is rendered once, at issue, and its bytes are served forever.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import segno
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from certificates.render import FONTS, LocalFontsFetcher

TITLES = {
    True: ("GIẤY CHỨNG NHẬN KIỂM ĐỊNH", "VERIFICATION CERTIFICATE"),
    False: ("THÔNG BÁO KẾT QUẢ KIỂM ĐỊNH KHÔNG ĐẠT", "NOTICE OF FAILURE"),
}
KIND_WORDS = {  # verification.models.VerificationKind
    "initial": ("Kiểm định ban đầu", "Initial verification"),
    "periodic": ("Kiểm định định kỳ", "Periodic verification"),
    "after_repair": ("Kiểm định sau sửa chữa", "Verification after repair"),
    "mark_replaced": (
        "Kiểm định khi tem, dấu kiểm định bị mất hoặc hư hỏng",
        "Verification after a mark was lost or damaged",
    ),
}
VERDICT_WORDS = {True: ("Đạt", "Pass"), False: ("Không đạt", "Fail")}
TEST_WORDS = {
    "weighing": ("Kiểm tra sai số cân", "Weighing test"),
    "eccentricity": ("Kiểm tra độ lệch tâm", "Eccentricity test"),
    "repeatability": ("Kiểm tra độ lặp lại", "Repeatability test"),
    "discrimination": ("Kiểm tra khả năng phân biệt", "Discrimination test"),
    "delivery": (
        "Kiểm tra sai số tại lưu lượng lớn nhất và nhỏ nhất",
        "Errors at the maximum and minimum flow rates",
    ),
    "minimum_quantity": ("Kiểm tra tại lượng đo nhỏ nhất", "Minimum measured quantity"),
    "flow_rates": ("Kiểm tra sai số tại Q1, Q2, Q3", "Errors at Q1, Q2 and Q3"),
    "accuracy": (
        "Kiểm tra sai số tại các giá trị dòng điện và hệ số công suất",
        "Errors at currents and power factors",
    ),
}
COLUMN_WORDS = {
    "position": ("Vị trí", "Position"),
    "load": ("Tải trọng", "Load"),
    "indication": ("Số chỉ", "Indication"),
    "after": ("Số chỉ khi thêm 1,4 d", "Indication, 1.4 d added"),
    "added": ("Tải thêm", "Added"),
    "change": ("Thay đổi", "Change"),
    "error": ("Sai số", "Error"),
    "mpe": ("MPE ±", "MPE ±"),
    "flow_rate": ("Lưu lượng", "Flow rate"),
    "standard": ("Thể tích chuẩn", "Standard volume"),
    "error_percent": ("Sai số", "Error"),
    "mpe_percent": ("MPE ±", "MPE ±"),
    "point": ("Điểm", "Point"),
    "temperature": ("Nhiệt độ nước", "Water temp."),
    "current": ("Dòng điện", "Current"),
    "power_factor": ("Hệ số công suất", "Power factor"),
}
POSITION_WORDS = {
    "centre": ("Giữa", "Centre"),
    "front-left": ("Trước trái", "Front left"),
    "back-left": ("Sau trái", "Back left"),
    "back-right": ("Sau phải", "Back right"),
    "front-right": ("Trước phải", "Front right"),
}
TEXT_COLUMNS = ("position", "point", "power_factor")


def vi(text: str) -> str:
    """A number as typed or computed, printed with the decimal comma and a true minus."""
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return str(text).replace(".", ",")
    return format(value, "f").replace(".", ",").replace("-", "\u2212")


def _units(recommendation: str, spec: dict) -> dict[str, str]:
    if recommendation == "oiml_r76":
        unit = spec.get("unit", "")
        return dict.fromkeys(
            ("load", "indication", "after", "added", "change", "error", "mpe"), unit
        )
    if recommendation in ("oiml_r117", "oiml_r49"):
        units = dict.fromkeys(("standard", "indication", "error", "mpe"), "L")
        units.update(error_percent="%", mpe_percent="%", temperature="°C")
        units["flow_rate"] = "L/min" if recommendation == "oiml_r117" else "m³/h"
        return units
    return {"current": "A", "error": "%", "mpe": "%"}


def _shown_columns(recommendation: str, test_key: str, rows: list[dict]) -> list[str]:
    from verification.procedures import TESTS

    test = next(t for t in TESTS[recommendation] if t.key == test_key)
    keys = [c.key for c in test.columns]
    if recommendation in ("oiml_r117", "oiml_r49"):
        # the relative error and MPE are what the Recommendation states; the volume error too
        keys += ["error", "error_percent", "mpe_percent"]
    else:
        keys += [k for k in test.outputs if k not in keys]
    if test_key == "flow_rates" and not any(r.get("temperature") for r in rows):
        keys.remove("temperature")
    return keys


def _cell(key: str, value) -> str:
    if value in (None, ""):
        return "—"
    if key == "position":
        return " / ".join(POSITION_WORDS.get(value, (value, value)))
    if key == "power_factor":
        return str(value).replace(".", ",")
    if key == "point":
        return str(value)
    return vi(value)


def tests_context(verification) -> list[dict]:
    """Each test of the results: its words, columns (with units), rows and verdict."""
    results = verification.results or {}
    recommendation = results.get("rules", verification.instrument_type.recommendation)
    spec = results.get("specification", verification.specification)
    units = _units(recommendation, spec)
    out = []
    for test in results.get("tests", []):
        keys = _shown_columns(recommendation, test["key"], test["rows"])
        out.append(
            {
                "key": test["key"],
                "words": TEST_WORDS.get(test["key"], (test["key"], test["key"])),
                "columns": [
                    {
                        "words": COLUMN_WORDS.get(k, (k, k)),
                        "unit": units.get(k, ""),
                        "text": k in TEXT_COLUMNS,
                    }
                    for k in keys
                ],
                "rows": [
                    {
                        "cells": [
                            {"value": _cell(k, row.get(k)), "text": k in TEXT_COLUMNS} for k in keys
                        ],
                        "verdict": VERDICT_WORDS[bool(row.get("passed"))],
                        "passed": bool(row.get("passed")),
                    }
                    for row in test["rows"]
                ],
                "summary": {
                    k: vi(v) if k != "spread_passed" else v
                    for k, v in test.get("summary", {}).items()
                },
                "unit": units.get("load", ""),
                "passed": test["passed"],
                "verdict": VERDICT_WORDS[bool(test["passed"])],
            }
        )
    return out


def specification_lines(recommendation: str, spec: dict) -> list[str]:
    """The metrological characteristics as printed: Max, e, d, class…"""
    if recommendation == "oiml_r76":
        unit = spec.get("unit", "")
        line = f"Max = {vi(spec['max'])} {unit}; e = {vi(spec['e'])} {unit}"
        if spec.get("d"):
            line += f"; d = {vi(spec['d'])} {unit}"
        if spec.get("min"):
            line += f"; Min = {vi(spec['min'])} {unit}"
        return [line, f"Cấp chính xác / Accuracy class: {spec['class']}"]
    if recommendation == "oiml_r117":
        line = f"Lượng đo nhỏ nhất / MMQ = {vi(spec['mmq'])} L"
        if spec.get("q_min") and spec.get("q_max"):
            line += f"; Q = {vi(spec['q_min'])} … {vi(spec['q_max'])} L/min"
        return [line, f"Cấp chính xác / Accuracy class: {vi(spec['class'])}"]
    if recommendation == "oiml_r49":
        return [
            f"Q3 = {vi(spec['q3'])} m³/h; R = {vi(spec['ratio'])}",
            f"Cấp chính xác / Accuracy class: {spec['class']}",
        ]
    if recommendation == "oiml_r46":
        if spec.get("i_ref"):
            line = f"Ib/In = {vi(spec['i_ref'])} A; Imax = {vi(spec['i_max'])} A"
        else:
            line = (
                f"Imin = {vi(spec['i_min'])} A; Itr = {vi(spec['i_tr'])} A; "
                f"Imax = {vi(spec['i_max'])} A"
            )
        return [line, f"Cấp chính xác / Accuracy class: {spec['class']}"]
    return [f"{k} = {v}" for k, v in spec.items()]


def verify_url(verification) -> str:
    return f"{settings.PUBLIC_URL}/verify/{verification.token}/"


def place_of(verification) -> str:
    campaign = verification.campaign
    if campaign is not None:
        return ", ".join(p for p in (campaign.site, campaign.address) if p)
    return verification.address or settings.LAB_ADDRESS


def verification_context(verification, *, card=None, mark=None) -> dict:
    kind = verification.instrument_type
    results = verification.results or {}
    recommendation = results.get("rules", kind.recommendation)
    spec = results.get("specification", verification.specification)
    url = verify_url(verification)
    tests = tests_context(verification)
    standards = []
    for standard in verification.standards.order_by("asset_number"):
        incoming = standard.latest_calibration_by(verification.verified_on)
        standards.append({"standard": standard, "certificate": incoming})
    return {
        "v": verification,
        "passed": bool(verification.passed),
        "title": TITLES[bool(verification.passed)],
        "kind": KIND_WORDS.get(verification.kind, (verification.kind, verification.kind)),
        "type": kind,
        "type_list": kind.type_list,
        "specification": specification_lines(recommendation, spec),
        "reference": results.get("reference", ""),
        "tests": tests,
        "failed": [t for t in tests if not t["passed"]],
        "verdict": VERDICT_WORDS[bool(verification.passed)],
        "owner": verification.customer.name if verification.customer_id else verification.owner,
        "place": place_of(verification),
        "standards": standards,
        "mark": mark,
        "card": card,
        "verifier": verification.verifier,
        "lab": {
            "name_vi": settings.LAB_NAME_VI,
            "name_en": settings.LAB_NAME_EN,
            "address": settings.LAB_ADDRESS,
        },
        "verify_url": url,
        "verify_qr": segno.make(url, error="m").svg_data_uri(scale=2, border=0),
        "font_regular": (FONTS / "DejaVuSans-vi.ttf").as_uri(),
        "font_bold": (FONTS / "DejaVuSans-Bold-vi.ttf").as_uri(),
    }


def render_pdf(verification, *, card=None, mark=None) -> bytes:
    """The certificate (passed) or the notice of failure (failed) as PDF/A-3b."""
    template = (
        "verification/pdf/certificate.html"
        if verification.passed
        else "verification/pdf/notice.html"
    )
    html = render_to_string(template, verification_context(verification, card=card, mark=mark))
    return HTML(string=html, base_url=str(FONTS), url_fetcher=LocalFontsFetcher()).write_pdf(
        pdf_variant="pdf/a-3b"
    )
