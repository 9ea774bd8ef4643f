import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Case, Count, IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calibration.forms import CalibrationForm
from calibration.models import Instrument
from jobs import services
from jobs.access import job_for_user, job_item_for_user, jobs_for
from jobs.forms import (
    AssignForm,
    CancelForm,
    JobForm,
    JobItemFormSet,
    ReceiveItemFormSet,
    ReceiveRequestForm,
    ReturnForm,
)
from jobs.models import JobStatus
from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.models import Customer
from lims.paging import page_of

RECENT_DAYS = 90
STATUS_ORDER = Case(
    *(When(status=value, then=Value(rank)) for rank, value in enumerate(JobStatus.values)),
    output_field=IntegerField(),
)


def _mean_days(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 86400


@login_required
def job_board(request):
    """The status board: a column per status, with its count and its jobs."""
    require(request.user, "job.view")
    today = timezone.localdate()
    jobs = jobs_for(request.user, today)
    customer = request.GET.get("customer", "")
    if is_small_number(customer):
        jobs = jobs.filter(customer_id=int(customer))
    else:
        customer = ""
    counts = dict(
        jobs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    since = today - dt.timedelta(days=RECENT_DAYS)
    turnaround = jobs.filter(returned_on__gte=since).aggregate(mean=Avg("turnaround"))["mean"]
    status = request.GET.get("status", "")
    if status in JobStatus.values:
        shown = jobs.filter(status=status)
    else:
        status = ""
        # Returned and cancelled jobs pile up for ever: the board shows those of the last 90 days.
        shown = jobs.exclude(returned_on__lt=since).exclude(cancelled_on__lt=since)
    page = page_of(request, shown.order_by(STATUS_ORDER, "due_on", "number"), per_page=100)
    columns = [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "jobs": [job for job in page if job.status == value],
        }
        for value, label in JobStatus.choices
        if not status or value == status
    ]
    return render(
        request,
        "jobs/job_board.html",
        {
            "columns": columns,
            "page": page,
            "statuses": JobStatus.choices,
            "status": status,
            "customer": customer,
            "customers": Customer.objects.all() if request.user.is_lab_staff else [],
            "mean_turnaround": _mean_days(turnaround),
            "recent_days": RECENT_DAYS,
            "may_edit": can(request.user, "job.edit"),
            "may_request": can(request.user, "job.request"),
        },
    )


@login_required
def job_create(request):
    require(request.user, "job.edit")
    form = JobForm(request.POST or None, initial={"customer": request.GET.get("customer")})
    chosen = form["customer"].value()
    customer = Customer.objects.filter(pk=chosen).first() if is_small_number(chosen) else None
    # Rows offer the chosen customer's instruments; the service checks it in any case.
    items = JobItemFormSet(
        request.POST or None,
        prefix="items",
        form_kwargs={"customer": customer if request.method == "GET" else None},
    )
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [f.cleaned_data for f in items.forms if f.has_changed() and f.cleaned_data]
        try:
            job = services.job_receive(by=request.user, items=rows, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Job %(number)s received.") % {"number": job.number})
            return redirect("job", pk=job.pk)
    return render(
        request,
        "jobs/job_form.html",
        {"form": form, "items": items, "customer": customer, "title": _("Receive a job")},
    )


@login_required
def job_detail(request, pk):
    job = job_for_user(request.user, pk)
    items = job.items.select_related("instrument", "procedure", "calibration").order_by("pk")
    user = request.user
    may_edit = can(user, "job.edit") and job.is_open
    received = job.received_on is not None
    context = {
        "job": job,
        "items": items,
        "is_staff_view": user.is_lab_staff,
        "may": {
            "start": may_edit and received and can(user, "calibration.edit"),
            "assign": may_edit,
            "return": may_edit and received,
            "receive": may_edit and job.is_requested,
            "cancel": job.is_requested and (may_edit or can(user, "job.request")),
        },
        "assign_form": AssignForm(initial={"technician": job.technician_id}),
        "return_form": ReturnForm(),
        "cancel_form": CancelForm(),
    }
    if not job.is_open:
        # Why a request was cancelled is the customer's business too; why a job went back
        # without a certificate is said to them by the lab, not by this page.
        closed = job.history.exclude(cancelled_on=None, returned_on=None).order_by("history_date")
        first = closed.first()
        if job.cancelled_on is not None or user.is_lab_staff:
            context["closing_reason"] = first.history_change_reason if first else ""
    return render(request, "jobs/job_detail.html", context)


@login_required
def job_item_start(request, pk):
    """Open the item's calibration: the calibration form, the instrument fixed to the item's."""
    require(request.user, "calibration.edit")
    item = job_item_for_user(request.user, pk)
    if item.calibration_id is not None:
        messages.info(request, _("This item's calibration was already started."))
        return redirect("calibration", pk=item.calibration_id)
    form = CalibrationForm(
        request.POST or None,
        initial={
            "instrument": item.instrument_id,
            "procedure": item.procedure_id,
            "received_on": item.job.received_on,
        },
    )
    form.fields["instrument"].queryset = Instrument.objects.filter(pk=item.instrument_id)
    form.fields["instrument"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            calibration = services.job_item_start(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Calibration opened. Enter the readings."))
            return redirect("calibration", pk=calibration.pk)
    title = _("Start calibration: %(instrument)s (job %(job)s)") % {
        "instrument": item.instrument,
        "job": item.job.number,
    }
    return render(request, "lims/form.html", {"form": form, "title": title})


@login_required
@require_POST
def job_assign(request, pk):
    job = job_for_user(request.user, pk, "job.edit")
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an active technician."))
        return redirect("job", pk=pk)
    try:
        job = services.job_assign(job=job, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Job assigned to %(user)s.") % {"user": job.technician})
    return redirect("job", pk=pk)


@login_required
@require_POST
def job_return(request, pk):
    job = job_for_user(request.user, pk, "job.edit")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date the instruments were returned."))
        return redirect("job", pk=pk)
    try:
        services.job_return(job=job, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("The instruments were returned to the customer."))
    return redirect("job", pk=pk)


@login_required
def job_request_receive(request, pk):
    """Record the receipt of a requested job: its rows are the instruments asked for, with the
    customer's other instruments to add the ones brought in besides."""
    job = job_for_user(request.user, pk, "job.edit")
    if not job.is_requested:
        messages.info(request, _("This job is not a request waiting for its instruments."))
        return redirect("job", pk=job.pk)
    form = ReceiveRequestForm(request.POST or None)
    asked = job.items.select_related("instrument").order_by("pk")
    items = ReceiveItemFormSet(
        request.POST or None,
        prefix="items",
        initial=[{"instrument": i.instrument_id, "procedure": i.procedure_id} for i in asked],
        form_kwargs={"customer": job.customer},
    )
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [f.cleaned_data for f in items.forms if f.cleaned_data.get("instrument")]
        try:
            services.job_request_receive(job=job, by=request.user, items=rows, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Job %(number)s received.") % {"number": job.number})
            return redirect("job", pk=job.pk)
    return render(
        request,
        "jobs/job_form.html",
        {
            "form": form,
            "items": items,
            "customer": job.customer,
            "job": job,
            "title": _("Receive requested job %(number)s") % {"number": job.number},
        },
    )


@login_required
@require_POST
def job_cancel(request, pk):
    job = job_for_user(request.user, pk)
    if not (can(request.user, "job.edit") or can(request.user, "job.request")):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the request is cancelled."))
        return redirect("job", pk=pk)
    try:
        services.job_cancel(job=job, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("The request was cancelled."))
    return redirect("job", pk=pk)
