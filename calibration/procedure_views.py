"""Pages of the procedures under document control, of instruments' ranges and of the lab's scope.

Thin views: a form parses, a service in `calibration.procedures` or `calibration.services`
decides and writes, a refusal is shown on the form or as a message. Customers never see a
procedure's internals: every page here asks for a lab permission first.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from calibration import services
from calibration.access import instrument_for_user
from calibration.models import (
    InstrumentRange,
    Procedure,
    ProcedureStatus,
    ScopeEntry,
    Source,
    default_budget,
)
from calibration.procedure_forms import (
    DISTRIBUTION_LABELS,
    ApproveForm,
    BudgetFormSet,
    NewVersionForm,
    ProcedureEditForm,
    ProcedureForm,
    RangeEditForm,
    RangeForm,
    WithdrawForm,
    budget_initial,
    procedure_initial,
    range_initial,
)
from calibration.procedures import (
    procedure_approve,
    procedure_create,
    procedure_new_version,
    procedure_update,
    procedure_withdraw,
)
from competence.models import Activity
from competence.services import authorised_people
from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal


@login_required
@require_safe
def procedure_list(request):
    require(request.user, "procedure.view")
    versions = Procedure.objects.select_related("approved_by").order_by("code", "-version")
    status = request.GET.get("status")
    if status in ProcedureStatus.values:
        versions = versions.filter(status=status)
    else:
        status = None
    codes = [
        {"code": code, "versions": list(group)}
        for code, group in groupby(versions, key=lambda p: p.code)
    ]
    return render(
        request,
        "calibration/procedure_list.html",
        {
            "codes": codes,
            "statuses": ProcedureStatus.choices,
            "status": status,
            "can_edit": can(request.user, "procedure.edit"),
        },
    )


def _budget_rows(budget) -> list[dict]:
    sources = dict(Source.choices)
    return [
        {
            "name": c.get("name", ""),
            "source": sources.get(c.get("source"), c.get("source", "")),
            "dist": DISTRIBUTION_LABELS.get(c.get("dist"), c.get("dist", "")),
            "value": c.get("value", ""),
            "relative": bool(c.get("relative")),
            "note": c.get("note", ""),
        }
        for c in (budget if isinstance(budget, list) else [])
        if isinstance(c, dict)
    ]


@login_required
@require_safe
def procedure_detail(request, pk):
    require(request.user, "procedure.view")
    procedure = get_object_or_404(Procedure.objects.select_related("approved_by"), pk=pk)
    today = timezone.localdate()
    authorised = [
        (label, list(authorised_people(procedure.code, activity, today)))
        for activity, label in Activity.choices
    ]
    versions = (
        Procedure.objects.filter(code=procedure.code)
        .select_related("approved_by")
        .order_by("-version")
    )
    return render(
        request,
        "calibration/procedure_detail.html",
        {
            "procedure": procedure,
            "budget_rows": _budget_rows(procedure.budget),
            "versions": versions,
            "authorised": authorised,
            "today": today,
            "can_edit": can(request.user, "procedure.edit"),
            "can_approve": can(request.user, "procedure.approve"),
            "can_grant": can(request.user, "authorisation.grant"),
            "is_latest": not versions.filter(version__gt=procedure.version).exists(),
            "new_version_form": NewVersionForm(),
            "approve_form": ApproveForm(),
            "withdraw_form": WithdrawForm(),
        },
    )


def _budget_formset(request, initial):
    """The budget rows; what is posted counts whatever the rows started from (an unchanged
    extra row is blank and skipped)."""
    if request.method == "POST":
        return BudgetFormSet(request.POST, prefix="budget")
    return BudgetFormSet(prefix="budget", initial=initial)


def _procedure_form_page(request, *, form, budget, title, procedure=None):
    return render(
        request,
        "calibration/procedure_form.html",
        {"form": form, "budget": budget, "title": title, "procedure": procedure},
    )


@login_required
def procedure_create_view(request):
    require(request.user, "procedure.edit")
    form = ProcedureForm(request.POST or None)
    budget = _budget_formset(request, default_budget())
    if request.method == "POST" and form.is_valid() & budget.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("code")
        try:
            procedure = procedure_create(
                by=request.user, code=code, budget=budget.components(), **data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Procedure drafted: have it approved before use."))
            return redirect("procedure", pk=procedure.pk)
    return _procedure_form_page(request, form=form, budget=budget, title=_("New procedure"))


@login_required
def procedure_edit(request, pk):
    require(request.user, "procedure.edit")
    procedure = get_object_or_404(Procedure, pk=pk)
    if procedure.status != ProcedureStatus.DRAFT:
        messages.error(
            request,
            _(
                "Version %(version)d of %(code)s is %(status)s and cannot change: write a new version."
            )
            % {
                "version": procedure.version,
                "code": procedure.code,
                "status": procedure.get_status_display().lower(),
            },
        )
        return redirect("procedure", pk=pk)
    form = ProcedureEditForm(request.POST or None, initial=procedure_initial(procedure))
    budget = _budget_formset(request, budget_initial(procedure.budget))
    if request.method == "POST" and form.is_valid() & budget.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            procedure_update(
                procedure=procedure,
                by=request.user,
                reason=reason,
                budget=budget.components(),
                **data,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Procedure changed."))
            return redirect("procedure", pk=pk)
    return _procedure_form_page(
        request,
        form=form,
        budget=budget,
        title=_("Edit %(procedure)s") % {"procedure": f"{procedure.code} v{procedure.version}"},
        procedure=procedure,
    )


@login_required
@require_POST
def procedure_new_version_view(request, pk):
    require(request.user, "procedure.edit")
    procedure = get_object_or_404(Procedure, pk=pk)
    form = NewVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the new version changes."))
        return redirect("procedure", pk=pk)
    try:
        draft = procedure_new_version(
            procedure=procedure, by=request.user, change_note=form.cleaned_data["change_note"]
        )
    except ValidationError as error:
        message_refusal(request, error)
        return redirect("procedure", pk=pk)
    messages.success(request, _("New version drafted: change it, then have it approved."))
    return redirect("procedure_edit", pk=draft.pk)


@login_required
@require_POST
def procedure_approve_view(request, pk):
    require(request.user, "procedure.approve")
    procedure = get_object_or_404(Procedure, pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date from which the version takes effect."))
        return redirect("procedure", pk=pk)
    try:
        procedure_approve(procedure=procedure, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Version approved."))
    return redirect("procedure", pk=pk)


@login_required
@require_POST
def procedure_withdraw_view(request, pk):
    require(request.user, "procedure.approve")
    procedure = get_object_or_404(Procedure, pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the procedure is withdrawn."))
        return redirect("procedure", pk=pk)
    try:
        procedure_withdraw(procedure=procedure, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Version withdrawn."))
    return redirect("procedure", pk=pk)


@login_required
def range_create(request, pk):
    instrument = instrument_for_user(request.user, pk, "instrument.edit")
    chosen = request.POST.get("procedure") or request.GET.get("procedure") or ""
    procedure = (
        Procedure.objects.filter(status=ProcedureStatus.APPROVED, pk=chosen).first()
        if is_small_number(chosen)
        else None
    )
    form = RangeForm(
        request.POST or None, initial=range_initial(instrument=instrument, procedure=procedure)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        procedure, reason = data.pop("procedure"), data.pop("reason")
        try:
            services.instrument_range_add(
                instrument=instrument, procedure=procedure, by=request.user, reason=reason, **data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Range added."))
            return redirect("instrument", pk=instrument.pk)
    return render(
        request,
        "calibration/range_form.html",
        {
            "form": form,
            "instrument": instrument,
            "procedure": procedure,
            "procedures": form.fields["procedure"].queryset,
            "title": _("New range or channel of %(instrument)s") % {"instrument": instrument},
        },
    )


@login_required
def range_edit(request, pk):
    require(request.user, "instrument.edit")
    spec = get_object_or_404(InstrumentRange.objects.select_related("instrument__customer"), pk=pk)
    instrument = instrument_for_user(request.user, spec.instrument_id, "instrument.edit")
    initial = {
        name: getattr(spec, name)
        for name in ("name", "unit", "resolution", "points", "tolerance_abs", "tolerance_rel")
    }
    initial["tolerance_source"] = spec.tolerance_source
    form = RangeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.instrument_range_update(range=spec, by=request.user, reason=reason, **data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Range changed."))
            return redirect("instrument", pk=instrument.pk)
    return render(
        request,
        "calibration/range_form.html",
        {
            "form": form,
            "instrument": instrument,
            "range": spec,
            "title": _("Edit %(range)s of %(instrument)s")
            % {"range": spec.name, "instrument": instrument},
        },
    )


@login_required
@require_safe
def scope_list(request):
    require(request.user, "procedure.view")
    entries = list(ScopeEntry.objects.all())
    in_use = dict(
        Procedure.objects.filter(status=ProcedureStatus.APPROVED).values_list("code", "pk")
    )
    for entry in entries:
        entry.procedure_pk = in_use.get(entry.procedure_code)
    return render(request, "calibration/scope_list.html", {"entries": entries})


urlpatterns = [
    path("procedures/", procedure_list, name="procedures"),
    path("procedures/new/", procedure_create_view, name="procedure_create"),
    path("procedures/<int:pk>/", procedure_detail, name="procedure"),
    path("procedures/<int:pk>/edit/", procedure_edit, name="procedure_edit"),
    path(
        "procedures/<int:pk>/new-version/",
        procedure_new_version_view,
        name="procedure_new_version",
    ),
    path("procedures/<int:pk>/approve/", procedure_approve_view, name="procedure_approve"),
    path("procedures/<int:pk>/withdraw/", procedure_withdraw_view, name="procedure_withdraw"),
    path("instruments/<int:pk>/ranges/new/", range_create, name="range_create"),
    path("ranges/<int:pk>/edit/", range_edit, name="range_edit"),
    path("scope/", scope_list, name="scope"),
]
