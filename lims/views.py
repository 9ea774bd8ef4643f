from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lims.access import can, get_scoped, require, scoped
from lims.forms import CustomerForm, add_service_error
from lims.history import HISTORY_KINDS, history_rows
from lims.models import Customer
from lims.paging import page_of
from lims.services import customer_register


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database = cursor.fetchone() == (1,)
    except Exception:  # any database failure means "not answering"; the probe must not 500
        database = False
    return JsonResponse(
        {"status": "ok" if database else "degraded", "database": database},
        status=200,
    )


@login_required
def customer_list(request):
    require(request.user, "customer.view")
    customers = scoped(Customer.objects.all(), request.user, "pk")
    page = page_of(request, customers)
    return render(
        request,
        "lims/customer_list.html",
        {
            "customers": page,
            "page": page,
            "can_edit": can(request.user, "customer.edit"),
        },
    )


@login_required
def customer_detail(request, pk):
    customer = get_scoped(Customer.objects.all(), request.user, "pk", "customer.view", pk=pk)
    instruments = customer.instruments.all()
    return render(
        request, "lims/customer_detail.html", {"customer": customer, "instruments": instruments}
    )


@login_required
def customer_create(request):
    require(request.user, "customer.edit")
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_register(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customer", pk=customer.pk)
    return render(request, "lims/form.html", {"form": form, "title": _("New customer")})


@login_required
def history(request, kind, pk):
    require(request.user, "history.view")
    if kind not in HISTORY_KINDS:
        raise Http404
    model = HISTORY_KINDS[kind]
    try:
        record = model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "lims/history.html",
        {"record": record, "rows": history_rows(record), "kind": model._meta.verbose_name},
    )
