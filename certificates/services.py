"""Issuing a certificate: the gates, the number, the DCC, the PDF/A-3 rendered once with the DCC
inside, and the PDF's SHA-256."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calibration.models import Calibration, State
from calibration.services import WorkflowError
from calibration.workflow import SignatureRefused, calibration_mark_issued, signature_problems
from certificates.dcc import DccExportError, dcc_xml
from certificates.models import Certificate, Kind
from certificates.numbering import number_next
from certificates.render import render_pdf
from lims.access import require
from lims.audit import stamp
from lims.models import User
from traceability.chains import chain_problems


class TraceabilityBroken(ValidationError):
    """A result whose chain to the SI does not hold cannot be issued."""


class DccRefused(ValidationError):
    """A certificate is issued with its DCC inside or not at all: a unit without a D-SI
    equivalent stops the issue, naming the unit."""


@transaction.atomic
def certificate_issue(*, calibration: Calibration, by: User, reason: str = "") -> Certificate:
    calibration = Calibration.objects.select_for_update().get(pk=calibration.pk)
    require(by, "certificate.issue")
    if calibration.technician_id == by.pk:
        raise PermissionDenied(
            _(
                "A second person must issue the certificate: not the technician who performed the calibration."
            )
        )
    if calibration.state != State.APPROVED:
        raise WorkflowError(_("Only an approved calibration can be issued."))
    unsigned = signature_problems(calibration)
    if unsigned:
        raise SignatureRefused(unsigned)
    problems = chain_problems(calibration)
    if problems:
        raise TraceabilityBroken(problems)
    now = timezone.now()
    certificate = Certificate(
        number=number_next(kind=Kind.CALIBRATION, year=timezone.localdate(now).year),
        kind=Kind.CALIBRATION,
        calibration=calibration,
        issued_at=now,
        issued_by=by,
        token=secrets.token_urlsafe(32),
    )
    try:
        certificate.dcc = dcc_xml(certificate)
    except DccExportError as error:
        raise DccRefused(
            _("The certificate cannot be issued: its DCC cannot be written. %(why)s")
            % {"why": error}
        ) from error
    certificate.pdf = render_pdf(certificate, dcc=certificate.dcc)
    certificate.sha256 = hashlib.sha256(certificate.pdf).hexdigest()
    stamp(certificate, by=by, reason=reason or _("Issued"))
    certificate.save()
    calibration_mark_issued(
        calibration=calibration,
        by=by,
        reason=_("Certificate %(number)s issued") % {"number": certificate.number},
    )
    return certificate
