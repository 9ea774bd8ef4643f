from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import ngettext

from batches.forms import BatchForm
from batches.models import Batch, BatchItem
from batches.services import batch_start
from calibration.models import Calibration, State
from jobs.models import Job
from lims.access import can, require
from lims.forms import add_service_error, is_small_number
from lims.models import Customer
from lims.paging import page_of


@login_required
def batch_list(request):
    require(request.user, "batch.view")
    page = page_of(
        request,
        Batch.objects.with_progress()
        .select_related("requested_by")
        .order_by("-requested_at", "-pk"),
    )
    return render(
        request,
        "batches/batch_list.html",
        {"batches": page, "page": page, "may_start": can(request.user, "certificate.issue")},
    )


def approved_calibrations(*, customer: str, job: str):
    """Approved calibrations, of one customer or one job if asked, with the batch not finished
    that holds each (if any)."""
    pending = BatchItem.objects.filter(calibration=OuterRef("pk"), finished_at__isnull=True)
    calibrations = (
        Calibration.objects.filter(state=State.APPROVED)
        .select_related("instrument__customer", "procedure", "technician")
        .annotate(in_batch=Subquery(pending.values("batch_id")[:1]))
        .order_by("instrument__customer__short_name", "performed_on", "pk")
    )
    if customer:
        calibrations = calibrations.filter(instrument__customer_id=int(customer))
    if job:
        calibrations = calibrations.filter(job_item__job_id=int(job))
    return calibrations


@login_required
def batch_create(request):
    """Choose approved calibrations (all, a customer's or a job's) and queue their issue."""
    require(request.user, "certificate.issue")
    customer = request.GET.get("customer", "")
    customer = customer if is_small_number(customer) else ""
    job = request.GET.get("job", "")
    job = job if is_small_number(job) else ""
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_start(
                calibrations=list(form.cleaned_data["calibrations"]),
                by=request.user,
                reason=form.cleaned_data["reason"],
                language=translation.get_language() or "vi",
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            count = batch.items.count()
            messages.success(
                request,
                ngettext(
                    "Batch #%(batch)s queued: %(count)d calibration to issue.",
                    "Batch #%(batch)s queued: %(count)d calibrations to issue.",
                    count,
                )
                % {"batch": batch.pk, "count": count},
            )
            return redirect("batch", pk=batch.pk)
    calibrations = list(approved_calibrations(customer=customer, job=job))
    if request.method == "POST":
        chosen = set(request.POST.getlist("calibrations"))
    else:
        chosen = {str(c.pk) for c in calibrations if c.in_batch is None}
    with_approved = Calibration.objects.filter(state=State.APPROVED)
    return render(
        request,
        "batches/batch_form.html",
        {
            "form": form,
            "calibrations": calibrations,
            "chosen": chosen,
            "customer": customer,
            "job": job,
            "customers": Customer.objects.filter(
                instruments__calibrations__in=with_approved
            ).distinct(),
            "jobs": Job.objects.filter(items__calibration__in=with_approved)
            .select_related("customer")
            .distinct(),
        },
    )


def batch_context(request, pk):
    require(request.user, "batch.view")
    batch = get_object_or_404(Batch.objects.with_progress().select_related("requested_by"), pk=pk)
    items = (
        batch.items.select_related("calibration__instrument__customer", "certificate")
        .defer("certificate__pdf")
        .order_by("pk")
    )
    return {"batch": batch, "items": items}


@login_required
def batch_detail(request, pk):
    return render(request, "batches/batch_detail.html", batch_context(request, pk))


@login_required
def batch_progress(request, pk):
    """The progress alone, which the batch page polls every second until the batch is done."""
    return render(request, "batches/_progress.html", batch_context(request, pk))
