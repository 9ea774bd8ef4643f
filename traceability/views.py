import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from calibration.access import calibration_for_user
from lims.access import can, require
from lims.forms import add_service_error
from lims.paging import page_of
from standards.chain import Chain, chain_of
from standards.models import OutOfTolerance, Standard
from standards.services import finding_assess, finding_report
from traceability.chains import chain_for, point_chains, statement
from traceability.diagram import Box, chain_svg
from traceability.forms import AssessmentForm, FindingForm
from traceability.lookback import look_back


def _captions() -> dict[str, str]:
    return {
        "standard": _("Standard"),
        "certificate": _("Its calibration certificate"),
        "provider": _("Calibrated by"),
        "provider_standard": _("Provider's standard"),
        "national_standard": _("National standard"),
        "si": _("SI unit"),
    }


def diagram(chain: Chain, title: str) -> str:
    captions = _captions()
    boxes = [
        Box(link.kind, captions[link.kind], link.title, link.detail, link.problem)
        for link in chain.links
    ]
    return mark_safe(chain_svg(boxes, title=title))  # noqa: S308 (every text is escaped)


@login_required
def calibration_chain(request, pk):
    calibration = calibration_for_user(request.user, pk, "traceability.view")
    chains = chain_for(calibration)
    by_points = [
        {
            "points": item.points,
            "chain": item.chain,
            "svg": diagram(
                item.chain,
                _("Traceability chain of points %(points)s")
                % {"points": ", ".join(str(p.position) for p in item.points)},
            ),
        }
        for item in point_chains(calibration)
    ]
    return render(
        request,
        "traceability/chain.html",
        {
            "calibration": calibration,
            "by_points": by_points,
            "chains": [
                {"chain": chain, "svg": diagram(chain, str(chain.standard))} for chain in chains
            ],
            "statement": statement(chains) if chains else None,
        },
    )


def _day_param(request, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return default


@login_required
def standard_chain(request, pk):
    require(request.user, "traceability.view")
    standard = get_object_or_404(Standard, pk=pk)
    on = _day_param(request, timezone.localdate())
    chain = chain_of(standard, on)
    return render(
        request,
        "traceability/standard_chain.html",
        {"standard": standard, "on": on, "chain": chain, "svg": diagram(chain, str(standard))},
    )


@login_required
def findings(request):
    require(request.user, "traceability.view")
    form = FindingForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "lookback.assess")
        if form.is_valid():
            try:
                finding = finding_report(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Finding recorded; the standard is in quarantine."))
                return redirect("finding", pk=finding.pk)
    page = page_of(request, OutOfTolerance.objects.select_related("standard", "assessed_by"))
    return render(
        request,
        "traceability/findings.html",
        {
            "findings": page,
            "page": page,
            "form": form if can(request.user, "lookback.assess") else None,
        },
    )


@login_required
def finding_detail(request, pk):
    require(request.user, "traceability.view")
    finding = get_object_or_404(
        OutOfTolerance.objects.select_related("standard", "incoming", "check_record"), pk=pk
    )
    form = AssessmentForm(
        request.POST or None,
        initial={
            "assessment": finding.assessment,
            "customers_notified": finding.customers_notified,
            "notified_on": finding.notified_on,
        },
    )
    if request.method == "POST":
        require(request.user, "lookback.assess")
        if form.is_valid():
            try:
                finding_assess(finding=finding, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect("finding", pk=finding.pk)
    return render(
        request,
        "traceability/finding.html",
        {
            "finding": finding,
            "rows": look_back(finding),
            "form": form if can(request.user, "lookback.assess") else None,
        },
    )


@login_required
def finding_csv(request, pk):
    require(request.user, "traceability.view")
    finding = get_object_or_404(OutOfTolerance.objects.select_related("standard"), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="look-back-{finding.standard.asset_number}-{finding.found_on:%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 with Vietnamese letters only with the BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            "calibration",
            "performed_on",
            "state",
            "certificate",
            "customer",
            "instrument",
            "serial_number",
            "point",
            "reference",
            "shift",
            "U",
            "shift_over_U",
        ]
    )
    for row in look_back(finding):
        calibration = row.calibration
        base = [
            calibration.pk,
            calibration.performed_on.isoformat(),
            calibration.state,
            row.certificate.number if row.certificate else "",
            calibration.instrument.customer.name,
            calibration.instrument.name,
            calibration.instrument.serial_number,
        ]
        if not row.effects:
            writer.writerow(base + ["", "", "", "", ""])
        for effect in row.effects:
            writer.writerow(
                base
                + [
                    effect.point.position,
                    effect.point.reference.label,
                    "" if effect.shift is None else f"{effect.shift.normalize():f}",
                    "" if effect.expanded_uncertainty is None else effect.expanded_uncertainty,
                    "" if effect.ratio is None else f"{effect.ratio:.2f}",
                ]
            )
    return response
