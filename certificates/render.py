"""Render a certificate to PDF/A-3b with WeasyPrint, from local files only.

The PDF is rendered once, when the certificate is issued, with the certificate's DCC (XML)
embedded as its PDF/A-3 associated file; the stored bytes are what every download serves. Fonts
are the subset DejaVu files in certificates/fonts (Vietnamese diacritics), and the URL fetcher refuses anything but those files, so rendering never reaches the network.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

from certificates.revisions import replacement_of
from lims.charts import ErrorPoint, error_chart
from lims.charts import format_number as chart_number
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


KIND_TITLES = {
    "calibration": ("GIẤY CHỨNG NHẬN HIỆU CHUẨN", "CALIBRATION CERTIFICATE"),
    "verification": ("GIẤY CHỨNG NHẬN KIỂM ĐỊNH", "VERIFICATION CERTIFICATE"),
}
ROLE_WORDS = {  # the function of a person who signs, by their role (lims.models.Role)
    "technician": ("Kỹ thuật viên", "Technician"),
    "reviewer": ("Quản lý kỹ thuật", "Technical manager"),
    "quality_manager": ("Quản lý chất lượng", "Quality manager"),
    "administrator": ("Quản trị hệ thống", "Administrator"),
}
TOLERANCE_SOURCE_WORDS = {  # calibration.models.ToleranceSource: the specification conformed to
    "class": ("cấp chính xác của phương tiện đo", "the accuracy class of the instrument"),
    "maker": ("đặc tính kỹ thuật của nhà sản xuất", "the maker's specification"),
    "customer": ("giới hạn do khách hàng yêu cầu", "the limit required by the customer"),
}
CHART_LABELS = {
    "x": "Giá trị danh định / Nominal value",
    "y": "Sai số / Error",
    "value": "Sai số ± U / Error ± U",
    "tolerance": "Giới hạn cho phép ± / Tolerance ±",
    "no_data": "Không có dữ liệu / No data",
}
CHART_FONT = "Cert"  # the @font-face family of the template: the embedded Vietnamese subset


def chart_vi(value: Decimal) -> str:
    """A number on a chart axis: as `lims.charts.format_number` (true minus, no "−0"), with
    the Vietnamese decimal comma."""
    return chart_number(value).replace(".", ",")


def section_chart(points: list[dict]) -> str:
    """The error chart of one results section (a range in one phase), inline SVG.

    Every section gets one, tolerance or not: the errors with their ±U bars tell the reader
    something on their own; the ± tolerance band is drawn only where a point has a tolerance.
    The x axis is the nominal value of each point, in the order of the table.
    """
    unit = points[0]["unit"]
    svg = error_chart(
        [
            ErrorPoint(p["raw"]["nominal"], p["raw"]["error"], p["raw"]["U"], p["raw"]["tolerance"])
            for p in points
        ],
        unit=unit,
        labels=CHART_LABELS,
        number=chart_vi,
        width=560,
        height=240,
        font=CHART_FONT,
    )
    return mark_safe(svg)  # error_chart escapes every text it writes


def place_of_work(calibration, lab_address: str) -> dict:
    """Where the calibration was performed (17025 7.8.2.1 c).

    The default place of a calibration is the laboratory: printed with the lab's address. Any
    other place is work away from the lab's permanent facilities (on site, a mobile campaign):
    printed as the technician entered it, followed by the site's address, which is the
    instrument's location of use or else the customer's address, unless the place already
    says it.
    """
    default = type(calibration)._meta.get_field("place").default
    place = (calibration.place or "").strip()
    if not place or place == default:
        return {"on_site": False, "name": default, "address": lab_address}
    instrument = calibration.instrument
    address = (instrument.location or instrument.customer.address).strip()
    return {"on_site": True, "name": place, "address": "" if address in place else address}


def signer(user, at=None) -> dict | None:
    """A person named on the certificate, with their function (7.8.2.1 o)."""
    if user is None:
        return None
    return {"name": str(user), "function": ROLE_WORDS.get(user.role, ("", "")), "at": at}


def accreditation(points: list[dict], number: str) -> dict:
    """The accreditation mark and the scope statements of a certificate.

    The rule (ILAC P8, and BoA's rules for the use of the VILAS mark): the mark, a bordered block
    with the lab's accreditation number and "ISO/IEC 17025", is printed only when at least one
    result on the certificate is inside the lab's accredited scope (its point's stored
    ``in_scope``: a scope line of the procedure covers the value and is accredited). Each result
    outside the scope carries an asterisk and a note says what it means. When no result is
    inside the scope there is no mark, and a sentence says that the results are outside the
    scope of accreditation. A lab without an accreditation number (``LAB_ACCREDITATION`` empty)
    prints neither mark nor asterisks nor statements.
    """
    if not number:
        return {"number": "", "mark": False, "some_outside": False, "all_outside": False}
    inside = [not p["outside_scope"] for p in points]
    return {
        "number": number,
        "mark": any(inside),
        "some_outside": any(inside) and not all(inside),
        "all_outside": not any(inside),
    }


def _percent(coverage) -> str:
    return vi_number(str((Decimal(str(coverage)) * 100).normalize()))


def certificate_context(certificate) -> dict:
    """What the PDF template prints, clause by clause of ISO/IEC 17025:2017 7.8.2.1, 7.8.4.1 and
    7.8.6 (see tests/certificates/test_content.py, which checks each against the PDF's text)."""
    calibration = certificate.calibration
    instrument = calibration.instrument
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
                "p": _percent(result.get("coverage", 0.95)),
                "unit": result["unit"],
                "n": result["n"],
                "tolerance": vi_number(result["tolerance"]) if result.get("tolerance") else None,
                "decision": VERDICT_WORDS.get(decision),
                "outside_scope": not result.get("in_scope", True),
                "raw": {
                    "nominal": result.get("nominal", result["reference"]),
                    "error": result["reported_error"],
                    "U": result["reported_U"],
                    "tolerance": result.get("tolerance"),
                },
            }
        )
    for section in sections.values():  # in order of the reference value, as a reader expects
        section["points"].sort(key=lambda p: p["value"])
        coverages = {p["p"] for p in section["points"]}
        section["coverage"] = coverages.pop() if len(coverages) == 1 else None
        section["chart"] = section_chart(section["points"])
        section["phase_words"] = PHASE_WORDS.get(section["phase"])
    points = [p for section in sections.values() for p in section["points"]]
    transitions = {t.to_state: t for t in calibration.transitions.select_related("by")}
    reviewed, approved = transitions.get("reviewed"), transitions.get("approved")
    job_item = getattr(calibration, "job_item", None)  # received in a job: condition on receipt
    specifications = sorted(
        {
            TOLERANCE_SOURCE_WORDS[s["range"].tolerance_source]
            for s in sections.values()
            if any(p["decision"] for p in s["points"])
            and s["range"].tolerance_source in TOLERANCE_SOURCE_WORDS
        }
    )
    return {
        "certificate": certificate,
        "replaces": replacement_of(calibration),
        "title": KIND_TITLES.get(certificate.kind, KIND_TITLES["calibration"]),
        "calibration": calibration,
        "instrument": instrument,
        "customer": instrument.customer,
        "procedure": calibration.procedure,
        "job_item": job_item,
        "place": place_of_work(calibration, settings.LAB_ADDRESS),
        "points": points,
        "sections": list(sections.values()),
        "with_verdicts": any(p["decision"] for p in points),
        "scope": accreditation(points, settings.LAB_ACCREDITATION),
        "coverages": sorted({p["p"] for p in points}) or ["95"],
        "decision_rules": sorted(rules),
        "specifications": specifications,
        "adjustment": ADJUSTMENT_WORDS[calibration.adjustment],
        "links": links,
        "traceability": statement(links),
        "performed_by": signer(calibration.technician, calibration.performed_on),
        "reviewed_by": signer(reviewed.by, reviewed.at) if reviewed else None,
        "approved_by": signer(approved.by, approved.at) if approved else None,
        "temperature": vi_number(str(calibration.temperature)),
        "humidity": vi_number(str(calibration.humidity)),
        "resolution": vi_number(str(instrument.resolution.normalize())),
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


def dcc_attachment(certificate, dcc: bytes) -> Attachment:
    """The DCC as the PDF/A-3 associated file: an alternative, machine-readable form of the
    certificate (AFRelationship /Alternative, as Factur-X does for the XML of an invoice)."""
    issued = certificate.issued_at.astimezone(dt.UTC).replace(tzinfo=None)
    return Attachment(
        string=dcc,
        name=f"{certificate.number}.xml",
        description=(
            f"Giấy chứng nhận hiệu chuẩn số {certificate.number} dạng số (DCC) / "
            f"Digital Calibration Certificate {certificate.number} (PTB DCC 3.3.0 XML)"
        ),
        created=issued,
        modified=issued,
        relationship="Alternative",
    )


def render_pdf(certificate, dcc: bytes | None = None) -> bytes:
    """The certificate as PDF/A-3b; with `dcc`, the DCC XML embedded as its associated file."""
    html = render_to_string("certificates/pdf/certificate.html", certificate_context(certificate))
    attachments = [dcc_attachment(certificate, dcc)] if dcc is not None else None
    return HTML(string=html, base_url=str(FONTS), url_fetcher=LocalFontsFetcher()).write_pdf(
        pdf_variant="pdf/a-3b", attachments=attachments
    )
