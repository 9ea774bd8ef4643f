"""Pages of single verifications: the list with its filters, one verification with its tests and
the issue form, recording (or correcting) one instrument, and the issued PDF. Staff only:
`verification.view` to see, `verification.edit` to write."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lims.access import can, require
from lims.forms import add_service_error, message_refusal
from lims.paging import page_of
from verification import procedures
from verification.forms import (
    FilterForm,
    IssueForm,
    VerificationForm,
    long_values,
    tests_from,
    tests_grid,
)
from verification.models import InstrumentType, Verification, VerificationState
from verification.render import tests_context
from verification.services import verification_issue, verification_record, verification_update


def _filtered(form: FilterForm):
    rows = (
        Verification.objects.select_related("instrument_type", "verifier", "campaign", "customer")
        .prefetch_related("marks")
        .defer("pdf")  # the issued PDF's bytes: not for a list
    )
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["q"]:
        q = data["q"].strip()
        rows = rows.filter(
            Q(serial_number__icontains=q)
            | Q(owner__icontains=q)
            | Q(number__icontains=q)
            | Q(marks__serial__iexact=q)
            | Q(mark_serial__iexact=q)
        ).distinct()
    if data["type"]:
        rows = rows.filter(instrument_type__code=data["type"].code)
    if data["verdict"] == "pass":
        rows = rows.filter(passed=True)
    elif data["verdict"] == "fail":
        rows = rows.filter(passed=False)
    if data["state"]:
        rows = rows.filter(state=data["state"])
    if data["date_from"]:
        rows = rows.filter(verified_on__gte=data["date_from"])
    if data["date_to"]:
        rows = rows.filter(verified_on__lte=data["date_to"])
    if data["campaign"]:
        rows = rows.filter(campaign=data["campaign"])
    return rows


@login_required
def verification_list(request):
    require(request.user, "verification.view")
    form = FilterForm(request.GET or None)
    rows = _filtered(form).order_by("-verified_on", "-pk")
    page = page_of(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "verification/verification_list.html",
        {
            "form": form,
            "page": page,
            "rows": page,
            "query": query.urlencode(),
            "may_record": can(request.user, "verification.edit"),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _verification(pk) -> Verification:
    return get_object_or_404(
        Verification.objects.select_related(
            "instrument_type__type_list", "verifier", "campaign", "customer"
        ),
        pk=pk,
    )


@login_required
def verification_detail(request, pk, *, issue_form=None, status=200):
    require(request.user, "verification.view")
    verification = _verification(pk)
    may_issue = (
        verification.state == VerificationState.DRAFT
        and verification.verifier_id == request.user.pk
        and can(request.user, "verification.edit")
    )
    return render(
        request,
        "verification/verification_detail.html",
        {
            "v": verification,
            "tests": tests_context(verification) if verification.results else [],
            "marks": verification.marks.all(),
            "standards": verification.standards.order_by("asset_number"),
            "reference": (verification.results or {}).get("reference", ""),
            "may_issue": may_issue,
            "may_edit": verification.state == VerificationState.DRAFT
            and can(request.user, "verification.edit"),
            "issue_form": issue_form
            or IssueForm(initial={"mark_serial": verification.mark_serial}),
            "may_history": can(request.user, "history.view"),
        },
        status=status,
    )


@login_required
@require_POST
def verification_issue_view(request, pk):
    require(request.user, "verification.edit")
    verification = _verification(pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return verification_detail(request, pk, issue_form=form, status=400)
    try:
        issued = verification_issue(
            verification=verification,
            by=request.user,
            password=form.cleaned_data["password"],
            mark_serial=form.cleaned_data["mark_serial"],
        )
    except (ValidationError, PermissionDenied) as error:
        add_service_error(
            form, error if hasattr(error, "messages") else ValidationError(str(error))
        )
        return verification_detail(request, pk, issue_form=form, status=400)
    if issued.passed:
        messages.success(
            request,
            _("Certificate %(number)s issued, mark %(mark)s.")
            % {
                "number": issued.number,
                "mark": ", ".join(m.serial for m in issued.marks.all()),
            },
        )
    else:
        messages.success(
            request, _("Notice of failure %(number)s issued.") % {"number": issued.number}
        )
    return redirect("verification", pk=issued.pk)


@login_required
def verification_pdf(request, pk):
    require(request.user, "verification.view")
    verification = _verification(pk)
    if verification.state != VerificationState.ISSUED or not verification.pdf:
        raise Http404
    response = HttpResponse(bytes(verification.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{verification.number}.pdf"'
    return response


# --- recording ----------------------------------------------------------------------------------


def signature(recommendation: str | None, specification: dict) -> str:
    """The characteristics the rows on the page were drawn for, to notice when they change."""
    fields = procedures.SPECIFICATIONS.get(recommendation or "", ())
    return json.dumps(
        {f.key: str(specification.get(f.key, "") or "").strip() for f in fields}, sort_keys=True
    )


def _type_of(data) -> InstrumentType | None:
    text = str(data.get("instrument_type", "") or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None
    return InstrumentType.objects.filter(pk=int(text)).select_related("type_list").first()


def _record_page(request, *, verification: Verification | None):
    """Recording one instrument, in steps on one page: its type; its identification and
    characteristics; then the rows its rules ask, computed and saved on the server. A GET only
    draws the page (the type may come in the query); only a POST is read as the form, and only
    a POST saves."""
    editing = verification is not None
    if request.method == "POST":
        data = request.POST
    elif editing:
        data = None
    else:
        data = request.GET if "instrument_type" in request.GET else None
    kind = (
        _type_of(data) if data is not None else (verification.instrument_type if editing else None)
    )
    recommendation = kind.recommendation if kind else None
    initial = {}
    if editing:
        initial = {
            "instrument_type": verification.instrument_type_id,
            "kind": verification.kind,
            "verified_on": verification.verified_on,
            "owner": verification.owner,
            "stall": verification.stall,
            "customer": verification.customer_id,
            "address": verification.address,
            "province": verification.province,
            "manufacturer": verification.manufacturer,
            "model": verification.model,
            "serial_number": verification.serial_number,
            "standards": list(verification.standards.values_list("pk", flat=True)),
            **{f"spec-{k}": v for k, v in verification.specification.items()},
        }
    bound = request.method == "POST"
    form = VerificationForm(
        data if bound else None,
        initial=initial if not bound else None,
        recommendation=recommendation,
        reason_needed=editing,
    )
    if not bound and data is not None and kind is not None:
        form.initial["instrument_type"] = kind.pk
    step = data.get("step", "") if data is not None else ""
    tests: dict = verification.tests if editing and not bound else {}
    drawn_for = signature(recommendation, verification.specification) if editing else ""
    status = 200
    if bound and recommendation:
        posted = tests_from(recommendation, data)
        tests = posted if any(posted.values()) else {}
        drawn_for = data.get("drawn_for", "")
        if form.is_valid():
            spec = form.specification()
            try:
                blank = procedures.blank_tests(recommendation, spec)
            except ValidationError as refusal:
                add_service_error(form, refusal)
            else:
                if step == "tests" and drawn_for == signature(recommendation, spec):
                    too_long = long_values(recommendation, posted)
                    for message in too_long:
                        form.add_error(None, message)
                    outcome = None if too_long else _save(request, form, verification, kind, posted)
                    if isinstance(outcome, Verification):
                        return redirect("verification", pk=outcome.pk)
                else:
                    # new characteristics: the rows they ask, drawn again; nothing saved
                    tests = blank
                    drawn_for = signature(recommendation, spec)
                    if step == "tests":
                        form.add_error(
                            None,
                            _(
                                "The characteristics changed: the tests were drawn again for "
                                "them. Nothing was saved."
                            ),
                        )
        if form.errors:
            status = 400
    problem = ""
    if kind is None and request.method == "POST":
        problem = _("Choose the instrument type, from the list in force.")
        status = 400
    if kind is not None and recommendation not in procedures.TESTS:
        problem = _("The LIMS has no verification rules for this instrument type yet.")
        status = 400 if bound else status
    return render(
        request,
        "verification/verification_form.html",
        {
            "form": form,
            "kind": kind,
            "verification": verification,
            "grid": tests_grid(recommendation, tests) if tests and recommendation else [],
            "drawn_for": drawn_for,
            "problem": problem,
            "client_key": (data.get("client_key") if bound and data else "")
            or form.initial.get("client_key")
            or uuid.uuid4(),
            "types": form.fields["instrument_type"].queryset,
        },
        status=status,
    )


def _save(request, form, verification, kind, tests):
    data = form.cleaned_data
    fields = {
        "instrument_type": kind,
        "owner": data["owner"],
        "stall": data["stall"],
        "address": data["address"],
        "province": data["province"],
        "customer": data["customer"],
        "manufacturer": data["manufacturer"],
        "model": data["model"],
        "serial_number": data["serial_number"],
        "specification": form.specification(),
        "kind": data["kind"],
        "verified_on": data["verified_on"],
        "tests": tests,
        "standards": list(data["standards"]),
    }
    try:
        if verification is None:
            saved, created = verification_record(
                by=request.user, client_key=data.get("client_key"), **fields
            )
            if not created:
                messages.info(request, _("This verification was already recorded."))
            return saved
        return verification_update(
            verification=verification, by=request.user, reason=data["reason"], **fields
        )
    except (ValidationError, PermissionDenied) as error:
        add_service_error(
            form, error if hasattr(error, "messages") else ValidationError(str(error))
        )
        return None


@login_required
def verification_new(request):
    require(request.user, "verification.edit")
    return _record_page(request, verification=None)


@login_required
def verification_edit(request, pk):
    require(request.user, "verification.edit")
    verification = _verification(pk)
    if verification.state != VerificationState.DRAFT:
        message_refusal(request, ValidationError(_("An issued verification cannot be changed.")))
        return redirect("verification", pk=pk)
    return _record_page(request, verification=verification)


# --- the public check -----------------------------------------------------------------------------


def verification_verify(request, token):
    """The public page a verification's QR code opens (reached through /verify/<token>/, the
    certificates' page, when no calibration certificate has the token): what was issued, and
    whether an uploaded PDF is exactly that file."""
    from certificates.views import MAX_UPLOAD

    verification = get_object_or_404(
        Verification.objects.select_related("instrument_type", "customer"),
        token=token,
        state=VerificationState.ISSUED,
    )
    context = {"v": verification, "marks": verification.marks.all()}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["problem"] = _("Choose the PDF file to check.")
            status = 400
        elif upload.size > MAX_UPLOAD:
            context["problem"] = _(
                "This file is larger than 20 MB: it is not a certificate of ours."
            )
            status = 400
        else:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            context["uploaded"] = digest.hexdigest()
            context["genuine"] = context["uploaded"] == verification.sha256
    return render(request, "verification/verification_verify.html", context, status=status)
