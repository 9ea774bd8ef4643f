from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.access import can, require
from lims.forms import add_service_error
from lims.paging import page_of
from standards.due import WINDOWS, due_within
from standards.forms import StandardCalibrationForm, StandardForm, StandardValueFormSet
from standards.models import Standard
from standards.services import standard_calibration_record, standard_register


@login_required
def standard_list(request):
    require(request.user, "standard.view")
    standards = Standard.objects.annotate(due_on=Max("calibrations__due_on")).order_by(
        "asset_number"
    )
    page = page_of(request, standards)
    return render(
        request,
        "standards/standard_list.html",
        {
            "standards": page,
            "page": page,
            "today": timezone.localdate(),
            "can_edit": can(request.user, "standard.edit"),
        },
    )


@login_required
def standards_due(request):
    require(request.user, "standard.view")
    within = request.GET.get("within", "30")
    days = int(within) if within in {str(d) for d in WINDOWS} else WINDOWS[0]
    today = timezone.localdate()
    return render(
        request,
        "standards/standards_due.html",
        {
            "standards": due_within(days, today=today),
            "days": days,
            "windows": WINDOWS,
            "today": today,
        },
    )


@login_required
def standard_detail(request, pk):
    require(request.user, "standard.view")
    standard = get_object_or_404(Standard, pk=pk)
    calibrations = standard.calibrations.select_related("provider").prefetch_related("values")
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "calibrations": calibrations,
            "today": timezone.localdate(),
            "can_edit": can(request.user, "standard.edit"),
        },
    )


@login_required
def standard_create(request):
    require(request.user, "standard.edit")
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = standard_register(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Standard registered."))
            return redirect("standard", pk=standard.pk)
    return render(request, "lims/form.html", {"form": form, "title": _("New standard")})


@login_required
def standard_calibration_create(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    form = StandardCalibrationForm(request.POST or None)
    values = StandardValueFormSet(request.POST or None, prefix="values")
    if request.method == "POST" and form.is_valid() and values.is_valid():
        rows = [row for row in values.cleaned_data if row]
        try:
            standard_calibration_record(
                standard=standard, by=request.user, values=rows, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Incoming calibration recorded."))
            return redirect("standard", pk=standard.pk)
    return render(
        request,
        "standards/calibration_form.html",
        {"form": form, "values": values, "standard": standard},
    )
