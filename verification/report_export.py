"""The programme report as charts, an Excel workbook and a PDF, from a `ProgrammeReport`.

The workbook and the PDF go to the Department of Science and Technology and are read in either
language, so they are bilingual whatever the page's language: Vietnamese first, then English,
written here and not through gettext (as on the certificates). The workbook has one sheet per
table of the page, a bold and frozen header row, numbers as numbers (costs in whole VND with a
thousands format), dates as Excel dates, and a total row where the page has one.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from weasyprint import HTML

from certificates.render import CHART_FONT, FONTS, LocalFontsFetcher
from lims.charts import FONT, bar_chart
from lims.models import Sector
from lims.xlsx import without_formulas
from standards.models import Funding
from verification.report import KINDS, ProgrammeReport, TypeRow

DATE_FORMAT = "DD/MM/YYYY"
VND_FORMAT = "#,##0"

KIND_WORDS = {
    "initial": ("Ban đầu", "Initial"),
    "periodic": ("Định kỳ", "Periodic"),
    "after_repair": ("Sau sửa chữa", "After repair"),
    "mark_replaced": ("Mất, hỏng tem", "Mark lost or damaged"),
}
TRADERS = ("Hộ kinh doanh cá thể", "Individual traders")
NOT_STATED = ("Không ghi", "Not stated")
TOTAL = ("Tổng cộng", "Total")
PDF_CHART_TEXTS = {
    "verified": "Phương tiện đo đã kiểm định / Instruments verified",
    "sectors": "Đối tượng được phục vụ / Served, by sector",
    "passed": "Đạt / Passed",
    "failed": "Không đạt / Failed",
    "count": "Số lượng / Number",
    "served": "Doanh nghiệp, hộ kinh doanh / Enterprises, traders",
    "traders": " / ".join(TRADERS),
    "no_data": "Không có dữ liệu / No data",
}


def both(label) -> tuple[str, str]:
    """A translatable label in Vietnamese and in English."""
    with translation.override("vi"):
        vi = str(label)
    with translation.override("en"):
        en = str(label)
    return vi, en


def joined(words: tuple[str, str]) -> str:
    vi, en = words
    return vi if vi == en else f"{vi} / {en}"


def sector_words(sector: str) -> tuple[str, str]:
    return both(Sector(sector).label) if sector in Sector.values else (sector, sector)


def funding_words(funding: str) -> tuple[str, str]:
    return both(Funding(funding).label) if funding in Funding.values else NOT_STATED


def grouped(n: int | Decimal | None, separator: str = ".") -> str:
    """A whole number with its thousands grouped (the Vietnamese way by default).

    >>> grouped(1250000000), grouped(Decimal("980"), ","), grouped(None)
    ('1.250.000.000', '980', '—')
    """
    if n is None:
        return "—"
    return f"{int(n):,}".replace(",", separator)


# --- charts --------------------------------------------------------------------------------------


def report_charts(
    report: ProgrammeReport,
    *,
    texts: Mapping[str, str],
    type_name: Callable[[TypeRow], str],
    sector_name: Callable[[str], str],
    font: str = FONT,
    width: int = 640,
) -> dict[str, str]:
    """The two charts: instruments verified by type (passed and failed stacked), and the
    enterprises served by sector with the individual traders beside them."""
    no_data = {"no_data": texts["no_data"]}
    verified = bar_chart(
        [type_name(t) for t in report.verified],
        [
            (texts["passed"], [t.passed for t in report.verified]),
            (texts["failed"], [t.failed for t in report.verified]),
        ],
        stacked=True,
        title=texts["verified"],
        y_label=texts["count"],
        labels=no_data,
        font=font,
        width=width,
    )
    categories = [sector_name(s.sector) for s in report.sectors]
    counts = [s.enterprises for s in report.sectors]
    if report.traders:
        categories.append(texts["traders"])
        counts.append(report.traders)
    sectors = bar_chart(
        categories,
        [(texts["served"], counts)],
        title=texts["sectors"],
        y_label=texts["count"],
        labels=no_data,
        font=font,
        width=width,
    )
    # bar_chart escapes every text it writes
    return {"verified": mark_safe(verified), "sectors": mark_safe(sectors)}  # noqa: S308


# --- the workbook --------------------------------------------------------------------------------


def _sheet(book, title: str, headers: list[tuple[str, int]], rows: list[list], total=None):
    sheet = book.create_sheet(title)
    sheet.append([header for header, _width in headers])
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        sheet.append(row)
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    if total is not None:
        sheet.append(total)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    without_formulas(sheet)
    return sheet


def _vnd(sheet, *columns: int) -> None:
    for line in sheet.iter_rows(min_row=2):
        for column in columns:
            line[column - 1].number_format = VND_FORMAT


def report_title(report: ProgrammeReport) -> str:
    return (
        f"Báo cáo kết quả hoạt động đo lường năm {report.year}, tỉnh {report.province} / "
        f"Metrology programme report {report.year}, {report.province}"
    )


def report_workbook(report: ProgrammeReport, *, generated: dt.date) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = report_title(report)
    book.properties.creator = settings.LAB_NAME_VI
    kinds = [joined(KIND_WORDS[k]) for k in KINDS]

    def type_line(t: TypeRow, vi: str, en: str) -> list:
        return [vi, en, t.verified, t.passed, t.failed, *t.kinds]

    _sheet(
        book,
        "Kiểm định - Verified",
        [
            ("Loại phương tiện đo / Instrument type", 34),
            ("Tên tiếng Anh / English name", 28),
            ("Số đã kiểm định / Verified", 14),
            ("Đạt / Passed", 12),
            ("Không đạt / Failed", 12),
            *((kind, 16) for kind in kinds),
        ],
        [type_line(t, t.name_vi, t.name_en) for t in report.verified],
        type_line(report.verified_total, *TOTAL),
    )
    _sheet(
        book,
        "Hiệu chuẩn - Calibrated",
        [
            ("Lĩnh vực / Field", 24),
            ("Tên tiếng Anh / English name", 24),
            ("Giấy chứng nhận hiệu chuẩn / Calibration certificates", 22),
            ("Số doanh nghiệp / Enterprises", 16),
        ],
        [[f.name_vi, f.name_en, f.certificates, f.enterprises] for f in report.calibrated],
        [*TOTAL, report.calibrated_certificates, report.calibrated_enterprises],
    )
    _sheet(
        book,
        "Lưu động - Campaigns",
        [
            ("Đợt kiểm định / Campaign", 30),
            ("Địa điểm (chợ) / Site (market)", 26),
            ("Địa chỉ / Address", 30),
            ("Từ ngày / From", 12),
            ("Đến ngày / To", 12),
            ("Số đã kiểm định / Verified", 14),
            ("Đạt / Passed", 12),
            ("Không đạt / Failed", 12),
        ],
        [
            [c.name, c.site, c.address, c.starts_on, c.ends_on, c.verified, c.passed, c.failed]
            for c in report.campaigns
        ],
        [
            joined(TOTAL),
            f"{report.markets} địa điểm / sites",
            None,
            None,
            None,
            report.campaign_verified,
            sum(c.passed for c in report.campaigns),
            sum(c.failed for c in report.campaigns),
        ],
    )
    sectors = [
        [*sector_words(s.sector), s.enterprises, s.verifications, s.calibrations]
        for s in report.sectors
    ]
    calibrations = sum(s.calibrations for s in report.sectors)
    verifications = sum(s.verifications for s in report.sectors)
    _sheet(
        book,
        "Doanh nghiệp - Enterprises",
        [
            ("Lĩnh vực / Sector", 28),
            ("Tiếng Anh / English", 24),
            ("Số doanh nghiệp, hộ / Enterprises, traders", 18),
            ("Lượt kiểm định / Verifications", 16),
            ("Giấy chứng nhận hiệu chuẩn / Calibration certificates", 22),
        ],
        [*sectors, [*TRADERS, report.traders, report.trader_verifications, 0]],
        [
            *TOTAL,
            report.enterprises + report.traders,
            verifications + report.trader_verifications,
            calibrations,
        ],
    )
    standards = _sheet(
        book,
        "Chuẩn - Standards",
        [
            ("Số tài sản / Asset number", 16),
            ("Tên chuẩn / Standard", 34),
            ("Ngày mua / Acquired on", 14),
            ("Giá trị (VND) / Cost (VND)", 18),
            ("Nguồn kinh phí / Funding source", 30),
        ],
        [
            [s.asset_number, s.name, s.acquired_on, s.cost, joined(funding_words(s.funding))]
            for s in report.standards
        ],
        [joined(TOTAL), None, None, report.standards_cost, None],
    )
    _vnd(standards, 4)
    funding = _sheet(
        book,
        "Kinh phí - Funding",
        [
            ("Nguồn kinh phí / Funding source", 30),
            ("Số chuẩn / Standards", 12),
            ("Giá trị (VND) / Cost (VND)", 18),
        ],
        [[joined(funding_words(f.funding)), f.standards, f.cost] for f in report.funding],
        [joined(TOTAL), len(report.standards), report.standards_cost],
    )
    _vnd(funding, 3)
    for sheet in book.worksheets:
        sheet.oddHeader.center.text = report_title(report)
        sheet.oddFooter.left.text = f"{settings.LAB_NAME_VI} · {generated:%d/%m/%Y}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- the PDF -------------------------------------------------------------------------------------


def report_pdf(report: ProgrammeReport, *, generated: dt.date) -> bytes:
    """The report on A4, Vietnamese first, with the charts drawn in the embedded font."""
    charts = report_charts(
        report,
        texts=PDF_CHART_TEXTS,
        type_name=lambda t: t.name_vi,
        sector_name=lambda s: sector_words(s)[0],
        font=CHART_FONT,
    )
    context = {
        "report": report,
        "title": report_title(report),
        "charts": charts,
        "kinds": [KIND_WORDS[k] for k in KINDS],
        "sectors": [(s, sector_words(s.sector)) for s in report.sectors],
        "standards": [(s, funding_words(s.funding)) for s in report.standards],
        "funding": [(f, funding_words(f.funding)) for f in report.funding],
        "traders": TRADERS,
        "total_served": report.enterprises + report.traders,
        "total_verifications": sum(s.verifications for s in report.sectors)
        + report.trader_verifications,
        "total_calibrations": sum(s.calibrations for s in report.sectors),
        "campaign_passed": sum(c.passed for c in report.campaigns),
        "campaign_failed": sum(c.failed for c in report.campaigns),
        "generated": generated,
        "lab": {"name_vi": settings.LAB_NAME_VI, "name_en": settings.LAB_NAME_EN},
        "font_regular": (FONTS / "DejaVuSans-vi.ttf").as_uri(),
        "font_bold": (FONTS / "DejaVuSans-Bold-vi.ttf").as_uri(),
    }
    with translation.override("vi"):
        html = render_to_string("verification/report_pdf.html", context)
    return HTML(string=html, base_url=str(FONTS), url_fetcher=LocalFontsFetcher()).write_pdf()
