"""Render a certificate to PDF/A-3b with WeasyPrint, from local files only.

The PDF is rendered once, when the certificate is issued; the stored bytes are what every
download serves. Fonts are the subset DejaVu files in certificates/fonts (Vietnamese diacritics),
and the URL fetcher refuses anything but those files, so rendering never reaches the network.
"""

from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from metrology.reporting import format_number
from traceability.chains import chain_for, statement

FONTS = Path(__file__).resolve().parent / "fonts"


class LocalFontsFetcher(URLFetcher):
    """Fetches the certificate fonts and the QR code drawn inline, nothing else: no network, no
    other file."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:image/svg+xml"):
            return super().fetch(url, headers)
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if not url.startswith("file://") or not path.is_relative_to(FONTS):
            raise ValueError(f"certificate rendering fetches local fonts only, not {url}")
        return super().fetch(url, headers)


def vi_number(text: str) -> str:
    """A decimal as printed on our certificates: comma as the decimal mark, minus as U+2212."""
    return format_number(Decimal(text), "vi").replace("-", "\u2212")


VERDICT_WORDS = {
    "pass": ("Đạt", "Pass"),
    "conditional_pass": ("Đạt có điều kiện", "Conditional pass"),
    "conditional_fail": ("Không đạt có điều kiện", "Conditional fail"),
    "fail": ("Không đạt", "Fail"),
}
PHASE_WORDS = {
    "as_found": ("Trước hiệu chỉnh", "As found"),
    "as_left": ("Sau hiệu chỉnh", "As left"),
}
ADJUSTMENT_WORDS = {
    "none": (
        "Phương tiện đo không được hiệu chỉnh; kết quả là trước và sau hiệu chỉnh.",
        "The instrument was not adjusted; the results are as found and as left.",
    ),
    "adjusted": (
        "Phương tiện đo đã được hiệu chỉnh; kết quả trước và sau hiệu chỉnh được nêu riêng.",
        "The instrument was adjusted; the results as found and as left are given separately.",
    ),
    "initial": (
        "Hiệu chuẩn lần đầu: không có kết quả trước hiệu chỉnh.",
        "Initial calibration: as-found results do not apply.",
    ),
}


def certificate_context(certificate) -> dict:
    calibration = certificate.calibration
    links = chain_for(calibration)
    sections: dict[tuple[int, str], dict] = {}
    rules = set()
    for point in calibration.points.select_related("range").order_by(
        "range__position", "range_id", "phase", "position"
    ):
        result = point.result
        key = (point.range_id, point.phase)
        if key not in sections:
            sections[key] = {
                "range": point.range,
                "phase": point.phase,
                "points": [],
            }
        decision = result.get("decision")
        if decision:
            rules.add(
                (result["statement_vi"].split(". ")[-1], result["statement_en"].split(". ")[-1])
            )
        sections[key]["points"].append(
            {
                "value": Decimal(result["reference"]),
                "position": point.position,
                "reference": vi_number(result["reference"]),
                "mean": vi_number(result["mean"]),
                "error": vi_number(result["reported_error"]),
                "U": vi_number(result["reported_U"]),
                "k": vi_number(result["reported_k"]),
                "unit": result["unit"],
                "n": result["n"],
                "tolerance": vi_number(result["tolerance"]) if result.get("tolerance") else None,
                "decision": VERDICT_WORDS.get(decision),
                "outside_scope": not result.get("in_scope", True),
            }
        )
    for section in sections.values():  # in order of the reference value, as a reader expects
        section["points"].sort(key=lambda p: p["value"])
    points = [p for section in sections.values() for p in section["points"]]
    transitions = {t.to_state: t for t in calibration.transitions.select_related("by")}
    return {
        "certificate": certificate,
        "calibration": calibration,
        "instrument": calibration.instrument,
        "customer": calibration.instrument.customer,
        "procedure": calibration.procedure,
        "points": points,
        "sections": list(sections.values()),
        "with_verdicts": any(p["decision"] for p in points),
        "outside_scope": any(p["outside_scope"] for p in points),
        "decision_rules": sorted(rules),
        "adjustment": ADJUSTMENT_WORDS[calibration.adjustment],
        "links": links,
        "traceability": statement(links),
        "reviewed": transitions.get("reviewed"),
        "approved": transitions.get("approved"),
        "temperature": vi_number(str(calibration.temperature)),
        "humidity": vi_number(str(calibration.humidity)),
        "resolution": vi_number(str(calibration.instrument.resolution.normalize())),
        "ranges": [
            (
                section["range"].name,
                vi_number(str(section["range"].resolution.normalize())),
                section["range"].unit,
            )
            for section in dict((s["range"].pk, s) for s in sections.values()).values()
        ],
        "lab": {
            "name_vi": settings.LAB_NAME_VI,
            "name_en": settings.LAB_NAME_EN,
            "address": settings.LAB_ADDRESS,
            "accreditation": settings.LAB_ACCREDITATION,
        },
        "verify_url": certificate.verify_url,
        "verify_qr": segno.make(certificate.verify_url, error="m").svg_data_uri(scale=2, border=0),
        "font_regular": (FONTS / "DejaVuSans-vi.ttf").as_uri(),
        "font_bold": (FONTS / "DejaVuSans-Bold-vi.ttf").as_uri(),
    }


def render_pdf(certificate) -> bytes:
    html = render_to_string("certificates/pdf/certificate.html", certificate_context(certificate))
    return HTML(string=html, base_url=str(FONTS), url_fetcher=LocalFontsFetcher()).write_pdf(
        pdf_variant="pdf/a-3b"
    )
