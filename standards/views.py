import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lims.access import can, require
from lims.forms import add_service_error, message_refusal
from lims.paging import page_of
from standards.charts import control_svg, drift_svg
from standards.due import WINDOWS, due_state, due_within, with_due_on
from standards.forms import (
    CheckForm,
    DecisionForm,
    DocumentForm,
    PieceForm,
    ReplacementForm,
    StandardCalibrationForm,
    StandardEditForm,
    StandardForm,
    StandardValueFormSet,
    StatusForm,
)
from standards.intervals import interval_decide, interval_propose, series
from standards.models import IntervalReview, Standard, StandardCalibration, StandardDocument
from standards.services import (
    check_record,
    document_add,
    piece_add,
    standard_calibration_record,
    standard_register,
    standard_set_status,
    standard_update,
)


@login_required
def standard_list(request):
    require(request.user, "standard.view")
    standards = with_due_on(Standard.objects.all()).order_by("asset_number")
    page = page_of(request, standards)
    today = timezone.localdate()
    for standard in page:
        standard.due_state = due_state(standard.due_on, today)
    return render(
        request,
        "standards/standard_list.html",
        {
            "standards": page,
            "page": page,
            "today": today,
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
    standard = get_object_or_404(
        with_due_on(Standard.objects.select_related("custodian", "check_standard")), pk=pk
    )
    today = timezone.localdate()
    calibrations = standard.calibrations.select_related(
        "provider", "national_standard", "replaces", "replaced_by"
    ).prefetch_related("values")
    by_label = series(standard)
    labels = list(by_label)
    label = request.GET.get("point") if request.GET.get("point") in by_label else None
    label = label or (labels[0] if labels else "")
    checks = defaultdict(list)
    for check in standard.checks.order_by("checked_on", "pk"):
        checks[check.label].append(check)
    check_label = request.GET.get("check") if request.GET.get("check") in checks else None
    check_label = check_label or (next(iter(checks)) if checks else "")
    last_check = standard.checks.order_by("-checked_on").first()
    next_check = (
        last_check.checked_on + dt.timedelta(days=standard.check_interval_days)
        if last_check and standard.check_interval_days
        else None
    )
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "due_state": due_state(standard.due_on, today),
            "calibrations": calibrations,
            "labels": labels,
            "label": label,
            "drift_svg": drift_svg(standard, label, by_label.get(label, [])) if label else "",
            "check_labels": list(checks),
            "check_label": check_label,
            "control_svg": control_svg(standard, check_label, checks[check_label])
            if check_label
            else "",
            "recent_checks": list(reversed(checks[check_label]))[:10] if check_label else [],
            "next_check": next_check,
            "pieces": standard.pieces.all(),
            "documents": standard.documents.all(),
            "findings": standard.findings.all()[:10],
            "reviews": standard.interval_reviews.select_related("decided_by")[:5],
            "today": today,
            "can_edit": can(request.user, "standard.edit"),
            "can_check": can(request.user, "standard.check"),
            "status_form": StatusForm(initial={"status": standard.status}),
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
def standard_edit(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    form = StandardEditForm(request.POST or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            standard_update(
                standard=Standard.objects.get(pk=pk), by=request.user, reason=reason, **data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Standard updated."))
            return redirect("standard", pk=pk)
    return render(
        request, "lims/form.html", {"form": form, "title": _("Edit %(s)s") % {"s": standard}}
    )


@login_required
@require_POST
def standard_status(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and give the reason."))
        return redirect("standard", pk=pk)
    try:
        standard_set_status(standard=standard, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Status changed."))
    return redirect("standard", pk=pk)


@login_required
def piece_create(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    form = PieceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            piece_add(standard=standard, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Piece added."))
            return redirect("standard", pk=pk)
    return render(
        request,
        "lims/form.html",
        {"form": form, "title": _("New piece of %(s)s") % {"s": standard}},
    )


@login_required
def document_create(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_add(standard=standard, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Document added."))
            return redirect("standard", pk=pk)
    return render(
        request,
        "standards/upload_form.html",
        {"form": form, "title": _("New document for %(s)s") % {"s": standard}},
    )


def _send(field, sha256: str):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1])
    response["X-Content-SHA256"] = sha256
    return response


@login_required
def document_file(request, pk):
    require(request.user, "standard.view")
    document = get_object_or_404(StandardDocument, pk=pk)
    return _send(document.file, document.sha256)


@login_required
def incoming_file(request, pk, kind):
    require(request.user, "standard.view")
    incoming = get_object_or_404(StandardCalibration, pk=pk)
    if kind == "dcc":
        return _send(incoming.dcc_file, incoming.dcc_sha256)
    return _send(incoming.certificate_file, incoming.certificate_sha256)


@login_required
def standard_calibration_create(request, pk, replaces=None):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    old = None
    if replaces is not None:
        old = get_object_or_404(StandardCalibration, pk=replaces, standard=standard)
    form_class = ReplacementForm if old else StandardCalibrationForm
    initial = {}
    if old:
        initial = {
            "provider": old.provider_id,
            "certificate_number": old.certificate_number,
            "calibrated_on": old.calibrated_on,
            "issued_on": old.issued_on,
            "due_on": old.due_on,
            "conformity": old.conformity,
            "provider_standard": old.provider_standard,
            "national_standard": old.national_standard_id,
        }
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    value_initial = (
        [
            {
                "label": v.label,
                "nominal": v.nominal,
                "value": v.value,
                "expanded_uncertainty": v.expanded_uncertainty,
                "coverage_factor": v.coverage_factor,
                "conformity": v.conformity,
            }
            for v in old.values.all()
        ]
        if old
        else None
    )
    values = StandardValueFormSet(request.POST or None, prefix="values", initial=value_initial)
    if request.method == "POST" and form.is_valid() and values.is_valid():
        rows = [row for row in values.cleaned_data if row]
        try:
            standard_calibration_record(
                standard=standard, by=request.user, values=rows, replaces=old, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Incoming calibration recorded."))
            return redirect("standard", pk=standard.pk)
    return render(
        request,
        "standards/calibration_form.html",
        {"form": form, "values": values, "standard": standard, "replaces": old},
    )


@login_required
def standard_checks(request, pk):
    require(request.user, "standard.view")
    standard = get_object_or_404(Standard, pk=pk)
    form = CheckForm(
        request.POST or None,
        initial={"checked_on": timezone.localdate(), "label": request.GET.get("label", "")},
    )
    if request.method == "POST":
        require(request.user, "standard.check")
        if form.is_valid():
            try:
                check = check_record(standard=standard, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if check.in_control is False:
                    messages.error(
                        request,
                        _(
                            "The check is outside the control limits: the standard is now in quarantine and a look-back is open."
                        ),
                    )
                else:
                    messages.success(request, _("Check recorded."))
                return redirect("standard_checks", pk=pk)
    page = page_of(
        request,
        standard.checks.select_related("performed_by", "check_standard").order_by(
            "-checked_on", "-pk"
        ),
    )
    return render(
        request,
        "standards/checks.html",
        {
            "standard": standard,
            "form": form if can(request.user, "standard.check") else None,
            "checks": page,
            "page": page,
        },
    )


@login_required
def standard_interval(request, pk):
    require(request.user, "standard.view")
    standard = get_object_or_404(Standard, pk=pk)
    if request.method == "POST":
        require(request.user, "standard.edit")
        try:
            interval_propose(standard=standard, by=request.user)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(request, _("Interval review proposed."))
        return redirect("standard_interval", pk=pk)
    reviews = standard.interval_reviews.select_related("decided_by")
    pending = next((r for r in reviews if not r.is_decided), None)
    form = None
    if pending and can(request.user, "interval.decide"):
        form = DecisionForm(initial={"months": pending.proposed_months})
    return render(
        request,
        "standards/interval.html",
        {
            "standard": standard,
            "reviews": reviews,
            "pending": pending,
            "form": form,
            "can_propose": can(request.user, "standard.edit"),
        },
    )


@login_required
@require_POST
def interval_decision(request, pk):
    require(request.user, "interval.decide")
    review = get_object_or_404(IntervalReview, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            interval_decide(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(request, _("Interval decided."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("standard_interval", pk=review.standard_id)
