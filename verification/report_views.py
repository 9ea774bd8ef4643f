"""The programme report: the page with its charts, the Excel workbook and the PDF.

Every view reads ``?year=`` and ``?province=`` (this year and the lab's province when absent);
a year or province that makes no sense gives the page with the reason and status 400.
"""

import re
import unicodedata
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lims.access import require
from verification.models import VerificationKind
from verification.report import (
    KINDS,
    ProgrammeReport,
    programme_report,
    report_parameters,
    report_provinces,
    report_years,
)
from verification.report_export import report_charts, report_pdf, report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, context: dict, status: int = 200):
    today = timezone.localdate()
    context.setdefault("years", report_years(today))
    context.setdefault("provinces", report_provinces())
    return render(request, "verification/report.html", context, status=status)


def _asked(request):
    """The report asked for, or the page with the reason it cannot be made (status 400)."""
    require(request.user, "report.view")
    try:
        year, province = report_parameters(
            request.GET.get("year"), request.GET.get("province"), today=timezone.localdate()
        )
    except ValidationError as error:
        years, provinces = report_years(), report_provinces()
        page = _page(
            request,
            {
                "errors": error.messages,
                "years": years,
                "provinces": provinces,
                "year": years[0],
                "province": request.GET.get("province", "").strip(),
            },
            status=400,
        )
        return None, page
    return programme_report(year, province), None


def _file_name(report: ProgrammeReport, extension: str) -> str:
    """bao-cao-2026-gia-lai.xlsx: ASCII, for every browser and mail client."""
    text = report.province.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tinh"
    return f"bao-cao-{report.year}-{slug}.{extension}"


def _totals(report: ProgrammeReport) -> dict:
    return {
        "campaign_passed": sum(c.passed for c in report.campaigns),
        "campaign_failed": sum(c.failed for c in report.campaigns),
        "total_served": report.enterprises + report.traders,
        "total_verifications": sum(s.verifications for s in report.sectors)
        + report.trader_verifications,
        "total_calibrations": sum(s.calibrations for s in report.sectors),
    }


@login_required
def report(request):
    """The report for a year and a province, with its charts and links to Excel and PDF."""
    made, refused = _asked(request)
    if refused:
        return refused
    english = (get_language() or "").startswith("en")
    charts = report_charts(
        made,
        texts={
            "verified": _("Instruments verified, by type"),
            "sectors": _("Enterprises and traders served, by sector"),
            "passed": _("Passed"),
            "failed": _("Failed"),
            "count": _("Number"),
            "served": _("Enterprises, traders"),
            "traders": _("Individual traders"),
            "no_data": _("No data"),
        },
        type_name=lambda t: (t.name_en or t.name_vi) if english else t.name_vi,
        sector_name=lambda s: next(row.label for row in made.sectors if row.sector == s),
    )
    kind_names = dict(VerificationKind.choices)
    return _page(
        request,
        {
            "report": made,
            "year": made.year,
            "province": made.province,
            "query": urlencode({"year": made.year, "province": made.province}),
            "charts": charts,
            "kinds": [kind_names[k] for k in KINDS],
            **_totals(made),
        },
    )


@login_required
def report_xlsx(request):
    made, refused = _asked(request)
    if refused:
        return refused
    response = HttpResponse(
        report_workbook(made, generated=timezone.localdate()), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(made, "xlsx")}"'
    return response


@login_required
def report_pdf_view(request):
    made, refused = _asked(request)
    if refused:
        return refused
    response = HttpResponse(
        report_pdf(made, generated=timezone.localdate()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{_file_name(made, "pdf")}"'
    return response
