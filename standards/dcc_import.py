"""Import a supplier's Digital Calibration Certificate into an incoming calibration of a standard.

Upload → read (dcc.read: safe parsing, PTB's XSD, extraction) → a page shows what was read for the
person to confirm, with the provider, the national standard and the due date to complete → the
record is made from the same bytes, whose SHA-256 must match what was shown, and the original file
is kept with it.
"""

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dcc.errors import DccError
from dcc.read import IncomingDcc, read
from dcc.units import plain_unit
from lims.access import require
from lims.forms import add_service_error
from standards.forms import DccConfirmForm, DccUploadForm
from standards.models import Conformity, Provider, Standard
from standards.services import standard_calibration_record

PASSING = {"pass", "conditionalPass", "noFail"}
FAILING = {"fail", "conditionalFail", "noPass"}


def refusal(error: DccError) -> list[str]:
    """A technician's message for each way a DCC can be refused, then the reader's own details."""
    headline = {
        "too_large": _("The file is too large to be a calibration certificate."),
        "not_xml": _("The file is not XML: choose the DCC (.xml), not the PDF certificate."),
        "unsafe": _(
            "The file declares a DOCTYPE or entities, which a DCC never needs: refused unread."
        ),
        "not_dcc": _("The file is XML but not a Digital Calibration Certificate."),
        "unsupported_version": _(
            "This DCC is of a schema version other than 3.3.0, which we read."
        ),
        "invalid": _("The DCC does not conform to the DCC 3.3.0 schema:"),
        "inconsistent": _(
            "The DCC's lists of values, uncertainties and units do not match in length:"
        ),
        "no_results": _("The DCC holds no numeric result to record."),
    }.get(error.code, _("The DCC cannot be read."))
    return [headline, *error.messages]


def _conformity(status: str) -> str:
    words = set(status.split())
    if words & FAILING:
        return Conformity.DOES_NOT_CONFORM
    if words and words <= PASSING:
        return Conformity.CONFORMS
    return Conformity.NOT_STATED


def value_rows(certificate: IncomingDcc) -> list[dict]:
    rows = []
    for result in certificate.results:
        nominal = result.nominal if result.nominal is not None else result.value
        rows.append(
            {
                "label": result.label or result.name,
                "nominal": nominal,
                "value": result.value,
                "expanded_uncertainty": result.expanded_uncertainty,
                "coverage_factor": result.coverage_factor or 2,
                "unit": plain_unit(result.unit),
                "conformity": _conformity(result.conformity),
            }
        )
    return rows


def _provider_for(certificate: IncomingDcc) -> Provider | None:
    lab = certificate.laboratory
    names = [n for n in (lab.name, *lab.names.values()) if n]
    query = Q(name__in=names) | Q(short_name__in=names)
    if lab.code:
        query |= Q(accreditation_number=lab.code)
    return Provider.objects.filter(query).first()


def _overall(certificate: IncomingDcc) -> str:
    return _conformity(" ".join(s.status for s in certificate.conformity))


@login_required
def dcc_import(request, pk):
    require(request.user, "standard.edit")
    standard = get_object_or_404(Standard, pk=pk)
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(request, standard)
    form = DccUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["dcc"]
        data = upload.read()
        try:
            certificate = read(data)
        except DccError as error:
            for message in refusal(error):
                form.add_error(None, message)
        else:
            confirm = DccConfirmForm(
                initial={
                    "payload": base64.b64encode(data).decode(),
                    "filename": upload.name,
                    "sha256": certificate.sha256,
                    "provider": _provider_for(certificate),
                    "conformity": _overall(certificate),
                }
            )
            return _show(request, standard, certificate, confirm)
    return render(
        request,
        "standards/upload_form.html",
        {"form": form, "title": _("Import a DCC for %(s)s") % {"s": standard}},
    )


def _show(request, standard, certificate, confirm):
    rows = value_rows(certificate)
    return render(
        request,
        "standards/dcc_confirm.html",
        {
            "standard": standard,
            "certificate": certificate,
            "rows": rows,
            "unit_mismatch": sorted({r["unit"] for r in rows} - {standard.unit}),
            "form": confirm,
        },
    )


def _confirm(request, standard):
    form = DccConfirmForm(request.POST)
    try:
        data = base64.b64decode(request.POST.get("payload", ""), validate=True)
        certificate = read(data)
    except (binascii.Error, ValueError, DccError):
        messages.error(request, _("The DCC could not be read again; upload it once more."))
        return redirect("standard_dcc_import", pk=standard.pk)
    if certificate.sha256 != request.POST.get("sha256"):
        messages.error(
            request, _("The file changed between reading and confirming; upload it once more.")
        )
        return redirect("standard_dcc_import", pk=standard.pk)
    if form.is_valid():
        data_in = form.cleaned_data
        try:
            incoming = standard_calibration_record(
                standard=standard,
                provider=data_in["provider"],
                certificate_number=certificate.certificate_number,
                calibrated_on=certificate.calibrated_on,
                issued_on=certificate.issued_on,
                due_on=data_in["due_on"],
                conformity=data_in["conformity"],
                provider_standard=data_in["provider_standard"],
                national_standard=data_in["national_standard"],
                values=value_rows(certificate),
                dcc=(data_in["filename"] or f"{certificate.certificate_number}.xml", data),
                by=request.user,
                reason=_("Imported from the DCC %(number)s (SHA-256 %(sha)s)")
                % {"number": certificate.certificate_number, "sha": certificate.sha256},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("DCC %(number)s imported.") % {"number": incoming.certificate_number},
            )
            return redirect("standard", pk=standard.pk)
    return _show(request, standard, certificate, form)
