import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calibration.access import calibration_for_user
from certificates.access import certificate_for_user, certificates_for
from certificates.dashboard import dashboard_for
from certificates.dcc import DccExportError, dcc_of
from certificates.models import Certificate, Replacement, Withdrawal
from certificates.revisions import certificate_replace, certificate_withdraw, replacement_of
from certificates.services import certificate_issue
from lims.access import can, require
from lims.forms import message_refusal
from lims.paging import page_of


@login_required
def home(request):
    return render(request, "lims/home.html", dashboard_for(request.user))


@login_required
def certificate_list(request):
    require(request.user, "certificate.view")
    page = page_of(request, certificates_for(request.user))
    return render(
        request,
        "certificates/certificate_list.html",
        {"certificates": page, "page": page, "perms_batches": can(request.user, "batch.view")},
    )


@login_required
def certificate_detail(request, pk):
    certificate = certificate_for_user(request.user, pk)
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "replacement": Replacement.objects.filter(replaced=certificate)
            .select_related("calibration__certificate", "opened_by")
            .first(),
            "replaces": replacement_of(certificate.calibration),
            "withdrawal": Withdrawal.objects.filter(certificate=certificate)
            .select_related("by")
            .first(),
            "may_replace": can(request.user, "certificate.replace"),
            "may_withdraw": can(request.user, "certificate.withdraw"),
        },
    )


@login_required
@require_POST
def certificate_replace_view(request, pk):
    certificate = certificate_for_user(request.user, pk, action="certificate.replace")
    try:
        replacement = certificate_replace(
            certificate=certificate,
            by=request.user,
            password=request.POST.get("password", ""),
            reason=request.POST.get("reason", ""),
            changes=request.POST.get("changes", ""),
            kind=request.POST.get("kind", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        message_refusal(request, error)
        return redirect("certificate", pk=certificate.pk)
    messages.success(
        request,
        _(
            "Correction of %(number)s opened: the technician corrects this copy, then it is reviewed, approved and issued as a new certificate."
        )
        % {"number": certificate.number},
    )
    return redirect("calibration", pk=replacement.calibration_id)


@login_required
@require_POST
def certificate_withdraw_view(request, pk):
    certificate = certificate_for_user(request.user, pk, action="certificate.withdraw")
    try:
        certificate_withdraw(
            certificate=certificate,
            by=request.user,
            password=request.POST.get("password", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        message_refusal(request, error)
    else:
        messages.success(
            request, _("Certificate %(number)s withdrawn.") % {"number": certificate.number}
        )
    return redirect("certificate", pk=certificate.pk)


@login_required
def certificate_pdf(request, pk):
    certificate = certificate_for_user(request.user, pk)
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response["X-Content-SHA256"] = certificate.sha256
    return response


@login_required
@require_POST
def certificate_issue_view(request, calibration_pk):
    calibration = calibration_for_user(request.user, calibration_pk)
    try:
        certificate = certificate_issue(
            calibration=calibration, by=request.user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as error:
        message_refusal(request, error)
        return redirect("calibration", pk=calibration.pk)
    messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
    return redirect("certificate", pk=certificate.pk)


@login_required
def certificate_dcc(request, pk):
    """The certificate as a Digital Calibration Certificate (PTB DCC 3.3.0 XML)."""
    certificate = certificate_for_user(request.user, pk)
    try:
        data = dcc_of(certificate)
    except DccExportError as error:
        messages.error(request, str(error))
        return redirect("certificate", pk=certificate.pk)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.xml"'
    return response


MAX_UPLOAD = 20 * 1024 * 1024


def verify(request, token):
    """The public page a certificate's QR code opens: anyone may check that it is genuine.

    Only the unguessable token finds the certificate (its id or number does not); an uploaded
    PDF is compared with the issued file by its SHA-256.
    """
    certificate = (
        Certificate.objects.with_status()
        .select_related("calibration__instrument__customer")
        .filter(token=token)
        .first()
    )
    if certificate is None:  # a verification certificate or notice of failure (verification app)
        from verification.views import verification_verify

        return verification_verify(request, token)
    context = {
        "certificate": certificate,
        "instrument": certificate.calibration.instrument,
        "withdrawal": Withdrawal.objects.filter(certificate=certificate).first(),
        "superseded_by": certificate.superseded_by,
        "replaces": replacement_of(certificate.calibration),
    }
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
            context["genuine"] = context["uploaded"] == certificate.sha256
    return render(request, "certificates/verify.html", context, status=status)
