"""The customer portal: instruments and due dates, certificates, jobs, requests, the Excel list.

Every page shows one customer's data, chosen by `portal.access.portal_customer`; lab staff see a
customer's pages read only with `?customer=ID`.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration.access import instrument_for_user
from certificates.access import certificates_for
from jobs.access import jobs_for
from jobs.services import job_request
from lims.access import can, require
from lims.forms import add_service_error, is_small_number
from lims.models import Customer
from lims.paging import page_of
from portal.access import portal_customer
from portal.due import (
    InstrumentState,
    Verdict,
    by_due_date,
    counts,
    instrument_rows,
    matching,
    verdict_flags,
    verdict_of,
)
from portal.export import instruments_workbook
from portal.forms import RecallForm, RequestForm
from portal.services import instrument_recall_set, recall_history

OPEN_JOBS_SHOWN = 10


def _choose(request, title):
    """Lab staff first choose whose portal to open."""
    return render(
        request,
        "portal/choose.html",
        {"customers": Customer.objects.order_by("name"), "title": title},
    )


def _filtered(request, rows):
    """The rows the page (or its export) shows: ?state=, ?q= and ?sort=name|due (due by default)."""
    state = request.GET.get("state", "")
    if state not in InstrumentState.values:
        state = ""
    text = request.GET.get("q", "")[:100]
    sort = "name" if request.GET.get("sort") == "name" else "due"
    shown = matching(rows, text)
    if state:
        shown = [row for row in shown if row.state == state]
    if sort == "due":
        shown = by_due_date(shown)
    return shown, {"state": state, "q": text, "sort": sort}


def _staff_query(request, customer) -> dict:
    return {} if request.user.customer_id else {"customer": customer.pk}


@login_required
def dashboard(request):
    """Every instrument of the customer with its last certificate, verdict, interval, due date
    and state; the counts per state filter the list."""
    customer = portal_customer(request)
    if customer is None:
        return _choose(request, _("Measurement assurance"))
    today = timezone.localdate()
    rows = instrument_rows(customer, today=today)
    shown, filters = _filtered(request, rows)
    staff = _staff_query(request, customer)
    page = page_of(request, shown, per_page=100)
    open_jobs = jobs_for(request.user, today).filter(customer=customer).open().order_by("-number")
    return render(
        request,
        "portal/dashboard.html",
        {
            "customer": customer,
            "today": today,
            "counts": counts(rows),
            "total": len(rows),
            "page": page,
            "rows": page.object_list,
            **filters,
            "staff": staff,
            "staff_query": urlencode(staff),
            "keep": urlencode({**staff, **{k: v for k, v in filters.items() if v}}),
            "open_jobs": open_jobs[:OPEN_JOBS_SHOWN],
            "may_request": can(request.user, "job.request"),
            "may_recall": can(request.user, "instrument.recall"),
            "tab": "instruments",
        },
    )


@login_required
def export(request):
    """The list as the page shows it (same filters), as an Excel workbook."""
    customer = portal_customer(request)
    if customer is None:
        return _choose(request, _("Measurement assurance"))
    today = timezone.localdate()
    shown, _filters = _filtered(request, instrument_rows(customer, today=today))
    response = HttpResponse(
        instruments_workbook(customer, shown, today=today),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"phuong-tien-do-{customer.tax_code}-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def certificates(request):
    """The customer's certificates, newest first, with their PDF and DCC."""
    customer = portal_customer(request, "certificate.view")
    if customer is None:
        return _choose(request, _("Certificates"))
    listed = (
        certificates_for(request.user)
        .filter(calibration__instrument__customer=customer)
        .annotate(**verdict_flags("calibration_id"))
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        listed = listed.filter(
            Q(number__icontains=text)
            | Q(calibration__instrument__serial_number__icontains=text)
            | Q(calibration__instrument__name__icontains=text)
            | Q(calibration__instrument__customer_asset_id__icontains=text)
        )
    page = page_of(request, listed)
    for certificate in page:
        certificate.verdict = verdict_of(certificate)
        certificate.verdict_label = (
            Verdict(certificate.verdict).label if certificate.verdict else ""
        )
    staff = _staff_query(request, customer)
    return render(
        request,
        "portal/certificates.html",
        {
            "customer": customer,
            "page": page,
            "certificates": page.object_list,
            "q": text,
            "staff_query": urlencode(staff),
            "keep": urlencode({**staff, **({"q": text} if text else {})}),
            "may_request": can(request.user, "job.request"),
            "tab": "certificates",
        },
    )


@login_required
def request_calibration(request):
    """A customer's user asks for a calibration: their instruments to tick (those due first),
    others to describe, the service, a date wished for; a job is made, "requested"."""
    require(request.user, "job.request")
    customer = request.user.customer
    today = timezone.localdate()
    rows = by_due_date(instrument_rows(customer, today=today))
    asked = [pk for pk in request.GET.getlist("instrument") if is_small_number(pk)]
    form = RequestForm(request.POST or None, customer=customer, initial={"instruments": asked})
    if request.method == "POST" and form.is_valid():
        try:
            job = job_request(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Request %(number)s sent. The lab will confirm the dates when it receives the instruments."
                )
                % {"number": job.number},
            )
            return redirect("job", pk=job.pk)
    chosen = {str(pk) for pk in (form["instruments"].value() or [])}
    return render(
        request,
        "portal/request.html",
        {
            "form": form,
            "customer": customer,
            "rows": rows,
            "chosen": chosen,
            "busy": {InstrumentState.REQUESTED, InstrumentState.IN_LAB},
            "tab": "request",
        },
    )


@login_required
def recall(request, pk):
    """Set the recall interval of one instrument, with the reason; its changes so far below."""
    require(request.user, "instrument.recall")
    instrument = instrument_for_user(request.user, pk)
    form = RecallForm(request.POST or None, initial={"months": instrument.recall_months})
    if request.method == "POST" and form.is_valid():
        try:
            instrument_recall_set(instrument=instrument, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Recall interval of %(instrument)s saved.") % {"instrument": instrument},
            )
            return redirect("portal")
    return render(
        request,
        "portal/recall.html",
        {
            "form": form,
            "instrument": instrument,
            "changes": recall_history(instrument),
            "tab": "instruments",
        },
    )
