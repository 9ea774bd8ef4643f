"""Correcting and withdrawing issued certificates (ISO/IEC 17025 7.8.8).

An issued certificate never changes. A correction is a new certificate: `certificate_replace`
copies the issued calibration (the same procedure version, dates, environment, standards and
every reading) into a new draft for its technician to correct; it is then submitted, reviewed,
approved and issued like any other, under a new number, and its PDF and DCC name the certificate
they replace, the reason and what changed. From that issue on the old one is superseded
everywhere. `certificate_withdraw` withdraws a certificate that is no longer valid, with no
successor (a result found wrong after the instrument left, a certificate issued in error).

Both decisions need the person's password typed again, as a signature does, and their records
are frozen by the database (certificates.freezing.DECISIONS).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from calibration.models import Calibration, MeasurementPoint, StandardUse
from certificates.models import Certificate, Replacement, RevisionKind, Status, Withdrawal
from lims.access import check_password_again, require
from lims.audit import stamp
from lims.models import User


class RevisionRefused(ValidationError):
    """A correction or a withdrawal that cannot be made, with why."""


def _check_password(by: User, password: str) -> None:
    check_password_again(
        by,
        password,
        refusal=RevisionRefused,
        message=_("The password is not right: this decision needs your own password, typed again."),
    )


def _lock(certificate: Certificate) -> Certificate:
    # Locks the row against a second decision at the same moment; a read lock, so the frozen
    # row's triggers do not fire.
    return (
        Certificate.objects.with_status()
        .select_for_update(of=("self",))
        .select_related("calibration")
        .get(pk=certificate.pk)
    )


def _check_in_force(certificate: Certificate) -> None:
    if certificate.status == Status.WITHDRAWN:
        raise RevisionRefused(
            _(
                "Certificate %(number)s is withdrawn: it can be neither corrected nor withdrawn again."
            )
            % {"number": certificate.number}
        )
    if certificate.status == Status.SUPERSEDED:
        raise RevisionRefused(
            _("Certificate %(number)s is already superseded by %(by)s: correct that one instead.")
            % {"number": certificate.number, "by": certificate.superseded_by}
        )


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RevisionRefused(message)
    return text


@transaction.atomic
def certificate_replace(
    *,
    certificate: Certificate,
    by: User,
    password: str,
    reason: str,
    changes: str,
    kind: str = RevisionKind.REPLACEMENT,
) -> Replacement:
    """Open the correction of an issued certificate: a new draft calibration copied from it."""
    require(by, "certificate.replace")
    certificate = _lock(certificate)
    _check_in_force(certificate)
    open_one = Replacement.objects.filter(replaced=certificate).first()
    if open_one is not None:
        raise RevisionRefused(
            _(
                "A correction of %(number)s is already open (calibration #%(pk)s): finish it, "
                "there is one per certificate."
            )
            % {"number": certificate.number, "pk": open_one.calibration_id}
        )
    if kind not in RevisionKind.values:
        raise RevisionRefused(_("Choose whether this is an amendment or a replacement."))
    reason = _required(reason, _("Say why the certificate must be corrected."))
    changes = _required(changes, _("Say what changes on the new certificate."))
    _check_password(by, password)

    issued = certificate.calibration
    copy = Calibration(
        instrument_id=issued.instrument_id,
        procedure_id=issued.procedure_id,
        technician_id=issued.technician_id,
        received_on=issued.received_on,
        performed_on=issued.performed_on,
        place=issued.place,
        temperature=issued.temperature,
        humidity=issued.humidity,
        adjustment=issued.adjustment,
        remarks=issued.remarks,
    )
    why = _("Opened to correct certificate %(number)s: %(reason)s") % {
        "number": certificate.number,
        "reason": reason,
    }
    stamp(copy, by=by, reason=why)
    copy.save()
    for use in issued.standard_uses.all():
        copied = StandardUse(
            calibration=copy,
            standard_id=use.standard_id,
            standard_calibration_id=use.standard_calibration_id,
        )
        stamp(copied, by=by, reason=why)
        copied.save()
    points = [
        MeasurementPoint(
            calibration=copy,
            range_id=point.range_id,
            phase=point.phase,
            position=point.position,
            reference_id=point.reference_id,
            readings=point.readings,
            result=point.result,
        )
        for point in issued.points.all()
    ]
    bulk_create_with_history(points, MeasurementPoint, default_user=by, default_change_reason=why)
    return Replacement.objects.create(
        replaced=certificate,
        calibration=copy,
        kind=kind,
        reason=reason,
        changes=changes,
        opened_at=timezone.now(),
        opened_by=by,
    )


@transaction.atomic
def certificate_withdraw(
    *, certificate: Certificate, by: User, password: str, reason: str
) -> Withdrawal:
    """Withdraw an issued certificate: from now on it shows as withdrawn everywhere."""
    require(by, "certificate.withdraw")
    certificate = _lock(certificate)
    if certificate.status == Status.WITHDRAWN:
        raise RevisionRefused(
            _("Certificate %(number)s is already withdrawn.") % {"number": certificate.number}
        )
    reason = _required(reason, _("Say why the certificate is withdrawn."))
    _check_password(by, password)
    return Withdrawal.objects.create(
        certificate=certificate, reason=reason, at=timezone.now(), by=by
    )


def replacement_of(calibration: Calibration) -> Replacement | None:
    """The correction this calibration makes, if it makes one."""
    return (
        Replacement.objects.select_related("replaced").filter(calibration_id=calibration.pk).first()
    )
